#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/temporary_folder.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/io/event_writer.hpp"
#include "trackpurity/sim/event_simulator.hpp"
#include "trackpurity/sim/statistics.hpp"

namespace trackpurity::sim {
namespace {

const geometry::Geometry& default_geometry() {
  static const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  return geometry;
}

SimulationConfig small_config(Process process) {
  SimulationConfig config;
  config.process = process;
  config.pileup = 10.0;
  return config;
}

std::filesystem::path temporary_path(const std::string& name) {
  return std::filesystem::path(TRACKPURITY_BINARY_DIR) / "tests" / "sim" / name;
}

using test_support::read_bytes;

TEST(EventSimulator, SameSeedGivesIdenticalEvents) {
  const EventSimulator simulator(default_geometry(), small_config(Process::kTtbar), 77);
  const EventSimulator twin(default_geometry(), small_config(Process::kTtbar), 77);
  const edm::Event event = simulator.simulate(3);
  EXPECT_EQ(event, twin.simulate(3));
  EXPECT_NE(event, simulator.simulate(4));
  EXPECT_EQ(event.number, 3U);
  EXPECT_FALSE(event.hits.empty());
}

TEST(EventSimulator, ThreadCountDoesNotChangeEvents) {
  const EventSimulator simulator(default_geometry(), small_config(Process::kTtbar), 5);
  std::vector<edm::Event> one_thread;
  std::vector<edm::Event> two_threads;
  simulate_in_order(simulator, 2, 6, 1, [&](edm::Event&& event, const TransportCounters&) {
    one_thread.push_back(std::move(event));
  });
  simulate_in_order(simulator, 2, 6, 2, [&](edm::Event&& event, const TransportCounters&) {
    two_threads.push_back(std::move(event));
  });
  ASSERT_EQ(one_thread.size(), 6U);
  ASSERT_EQ(two_threads.size(), 6U);
  for (std::size_t i = 0; i < one_thread.size(); ++i) {
    EXPECT_EQ(one_thread[i].number, 2 + i);
    EXPECT_EQ(one_thread[i], two_threads[i]) << "event " << i;
  }
}

TEST(EventSimulator, SameSeedWritesIdenticalFile) {
  const EventSimulator simulator(default_geometry(), small_config(Process::kTtbar), 9);
  std::vector<std::filesystem::path> paths;
  for (const int threads : {1, 2}) {
    const auto path = temporary_path("determinism_" + std::to_string(threads) + ".h5");
    io::EventWriterConfig config;
    config.configuration = to_json(simulator.config()).dump();
    config.seed = 9;
    config.tables = io::TableMask::simulation();
    io::EventWriter writer(path.string(), config);
    simulate_in_order(simulator, 0, 3, threads,
                      [&](edm::Event&& event, const TransportCounters&) { writer.write(event); });
    writer.close();
    paths.push_back(path);
  }
  const std::vector<char> first = read_bytes(paths[0]);
  ASSERT_GT(first.size(), 1000U);
  EXPECT_TRUE(first == read_bytes(paths[1])) << "files differ";
  for (const auto& path : paths) {
    std::filesystem::remove(path);
  }
}

TEST(EventSimulator, ParticlesKeepCollisionParentAndProcess) {
  const EventSimulator simulator(default_geometry(), small_config(Process::kDisplaced), 12);
  const edm::Event event = simulator.simulate(0);
  EXPECT_GE(event.collisions, 1U);
  int exotics = 0;
  int exotic_daughters = 0;
  int b_daughters = 0;

  for (const edm::Particle& particle : event.particles) {
    ASSERT_LT(particle.collision, event.collisions);
    if (particle.parent >= 0) {
      const edm::Particle& parent = event.particles[static_cast<std::size_t>(particle.parent)];
      ASSERT_LT(parent.id, particle.id);
      ASSERT_EQ(parent.collision, particle.collision);
      ASSERT_NE(particle.process, edm::CreationProcess::kHadronic);
      exotic_daughters += parent.pdg_id == pdg::kExotic ? 1 : 0;
      const int parent_code = std::abs(parent.pdg_id);
      b_daughters += (parent_code == pdg::kBPlus || parent_code == pdg::kB0 ||
                      parent_code == pdg::kLambdaB) ? 1 : 0;
    } else {
      ASSERT_EQ(particle.process, edm::CreationProcess::kPrimary);
    }
    if (particle.pdg_id == pdg::kExotic) {
      ++exotics;
      EXPECT_EQ(particle.collision, 0U);
    }
  }

  EXPECT_EQ(exotics, 2);
  // Exotics decay to a muon pair unless they leave the tracker first.
  EXPECT_EQ(exotic_daughters % 2, 0);
  EXPECT_GE(b_daughters, 4);
  for (const edm::Hit& hit : event.hits) {
    ASSERT_GE(hit.particle, 0);
    ASSERT_NE(event.particles[static_cast<std::size_t>(hit.particle)].charge, 0);
  }
}

TEST(EventSimulator, PileupSetsCollisionCount) {
  SimulationConfig config = small_config(Process::kMinimumBias);
  config.pileup = 0.0;
  const EventSimulator single(default_geometry(), config, 1);
  EXPECT_EQ(single.simulate(0).collisions, 1U);
  config.pileup = 50.0;
  const EventSimulator pileup(default_geometry(), config, 1);
  double collisions = 0.0;
  for (std::uint64_t index = 0; index < 10; ++index) {
    collisions += pileup.simulate(index).collisions;
  }
  // 1 + Poisson(50): the mean of 10 events is 51 +- 2.2.
  EXPECT_NEAR(collisions / 10.0, 51.0, 7.0);
}

TEST(EventSimulator, ProcessNamesRoundTrip) {
  for (const Process process : {Process::kMinimumBias, Process::kTtbar, Process::kDisplaced}) {
    EXPECT_EQ(process_from_name(to_string(process)), process);
  }
  EXPECT_FALSE(process_from_name("higgs").has_value());
}

TEST(EventSimulator, InvalidConfigurationIsRejected) {
  SimulationConfig config;
  config.pileup = -1.0;
  EXPECT_THROW(EventSimulator(default_geometry(), config, 1), ConfigError);
  config = SimulationConfig{};
  config.exotic.ctau = -1.0;
  EXPECT_THROW(EventSimulator(default_geometry(), config, 1), ConfigError);
  config = SimulationConfig{};
  config.propagator.min_pt = -0.1;
  EXPECT_THROW(EventSimulator(default_geometry(), config, 1), ConfigError);
}

TEST(EventSimulator, ConfigurationJsonRecordsEveryPart) {
  SimulationConfig config;
  config.process = Process::kDisplaced;
  const nlohmann::json document = to_json(config);
  EXPECT_EQ(document.at("process"), "displaced");
  EXPECT_EQ(document.at("pileup_mean"), 200.0);
  EXPECT_EQ(document.at("exotic").at("count_per_event"), 2);
  EXPECT_DOUBLE_EQ(document.at("beam").at("sigma_z_cm").get<double>(), 4.3);
  EXPECT_EQ(document.at("minimum_bias").at("tsallis_n"), 6.8);
  EXPECT_EQ(document.at("propagator").at("max_half_turns"), 4);
  config.process = Process::kTtbar;
  EXPECT_EQ(to_json(config).at("exotic").at("count_per_event"), 0);
}

TEST(SimulationStatistics, MetricsAndHistograms) {
  const EventSimulator simulator(default_geometry(), small_config(Process::kTtbar), 2);
  SimulationStatistics statistics;
  TransportCounters counters;
  const edm::Event event = simulator.simulate(0, &counters);
  statistics.add(event, counters);
  const nlohmann::json metrics = statistics.metrics(2.0, 1);
  EXPECT_EQ(metrics.at("events"), 1);
  EXPECT_DOUBLE_EQ(metrics.at("seconds_per_event").get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(metrics.at("hits_per_event").get<double>(), static_cast<double>(event.hits.size()));
  EXPECT_DOUBLE_EQ(metrics.at("particles_per_event").get<double>(),
                   static_cast<double>(event.particles.size()));
  double by_subdetector = 0.0;
  for (const auto& [name, value] : metrics.at("hits_per_event_by_subdetector").items()) {
    by_subdetector += value.get<double>();
  }
  EXPECT_DOUBLE_EQ(by_subdetector, static_cast<double>(event.hits.size()));
  EXPECT_GT(metrics.at("charged_pt_gt_0p9_eta_lt_4_per_event").get<double>(), 0.0);

  const auto directory = temporary_path("histograms");
  statistics.write_histograms(directory);
  for (const char* name : {"hits_per_particle_vs_eta.dat", "pt_spectrum.dat", "eta_spectrum.dat",
                           "production_radius.dat"}) {
    EXPECT_GT(std::filesystem::file_size(directory / name), 100U) << name;
  }
  std::filesystem::remove_all(directory);

  // A folder below a regular file cannot be created.
  const auto blocker = temporary_path("not_a_folder");
  std::ofstream(blocker) << "x";
  EXPECT_THROW(statistics.write_histograms(blocker / "histograms"), FileError);
  std::filesystem::remove(blocker);
}

}  // namespace
}  // namespace trackpurity::sim
