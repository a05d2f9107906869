#include <algorithm>
#include <chrono>
#include <ctime>
#include <memory>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string>

#include <fmt/core.h>
#include <tbb/task_arena.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/progress.hpp"
#include "trackpurity/core/version.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/io/event_writer.hpp"
#include "trackpurity/sim/event_simulator.hpp"
#include "trackpurity/sim/statistics.hpp"

namespace trackpurity::cli {

namespace {

struct SimulateOptions {
  std::uint64_t events = 0;
  double pileup = 200.0;
  std::string process = "ttbar";
  std::uint64_t seed = 1;
  std::string output;
  int threads = 0;
  std::string geometry;
  std::string metrics_json;
  std::string histograms;
};

int run_simulate(const SimulateOptions& options) {
  const auto log = logging::get("sim");
  const auto process = sim::process_from_name(options.process);
  if (!process) {
    throw ConfigError("--process must be one of minbias, ttbar, displaced, found '" +
                      options.process + "'");
  }
  if (options.threads < 0) {
    throw ConfigError("--threads must be >= 0 (0 uses every core), found " +
                      std::to_string(options.threads));
  }

  // 1. Geometry and configuration, recorded in the file so that
  // reconstruction can rebuild the same detector, dead modules included.
  const std::string geometry_path =
      options.geometry.empty() ? geometry::Geometry::default_path() : options.geometry;
  const geometry::Geometry geometry = geometry::Geometry::load(geometry_path);
  sim::SimulationConfig config;
  config.process = *process;
  config.pileup = options.pileup;
  const sim::EventSimulator simulator(geometry, config, options.seed);
  const nlohmann::json configuration{
      {"simulation", sim::to_json(simulator.config())},
      {"geometry", geometry.document()},
      {"geometry_file", geometry_path},
      {"seed", options.seed},
      {"events", options.events},
      {"program_version", std::string(program_version())},
  };
  log->debug("simulation configuration: {}", configuration.at("simulation").dump());
  log->info("simulating {} {} events with pileup {} (seed {}) into {}", options.events,
            options.process, options.pileup, options.seed, options.output);

  io::EventWriterConfig writer_config;
  writer_config.configuration = configuration.dump();
  writer_config.seed = options.seed;
  writer_config.tables = io::TableMask::simulation();
  io::EventWriter writer(options.output, writer_config);

  // 2. Simulate on worker threads, write in event order on this thread.
  sim::SimulationStatistics statistics;
  ProgressLine progress("simulate", options.events);
  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  sim::simulate_in_order(simulator, 0, options.events, options.threads,
                         [&](edm::Event&& event, const sim::TransportCounters& counters) {
                           statistics.add(event, counters);
                           writer.write(event);
                           progress.advance();
                           progress.set_status(fmt::format(
                               "{:.0f} hits/event", statistics.hits_per_event()));
                         });
  writer.close();
  progress.finish();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // Processor time of all threads: on a loaded machine it measures the cost
  // of the work better than wall time.
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;

  // 3. Summary and optional outputs.
  const int threads = options.threads > 0 ? options.threads : tbb::this_task_arena::max_concurrency();
  nlohmann::json metrics = statistics.metrics(seconds, threads);
  metrics["cpu_seconds"] = cpu_seconds;
  metrics["cpu_seconds_per_event"] =
      cpu_seconds / static_cast<double>(std::max<std::uint64_t>(statistics.events(), 1));
  const sim::TransportCounters& counters = statistics.counters();
  log->info("{} events in {:.1f} s ({:.3f} s/event on {} threads, {:.3f} s/event of CPU time): "
            "{:.0f} particles/event, {:.0f} charged with pT > 0.9 GeV and |eta| < 4 per event, "
            "{:.0f} hits/event",
            statistics.events(), seconds, metrics["seconds_per_event"].get<double>(), threads,
            metrics["cpu_seconds_per_event"].get<double>(),
            metrics["particles_per_event"].get<double>(),
            statistics.charged_pt_gt_0p9_eta_lt_4_per_event(), statistics.hits_per_event());
  log->info("per event: {:.0f} decays, {:.0f} conversions, {:.0f} loopers stopped, "
            "{:.0f} inactive-module crossings, {:.0f} hits lost to inefficiency",
            metrics["decays_per_event"].get<double>(), metrics["conversions_per_event"].get<double>(),
            metrics["loopers_stopped_per_event"].get<double>(),
            metrics["inactive_module_crossings_per_event"].get<double>(),
            metrics["inefficiency_losses_per_event"].get<double>());
  log->debug("propagated {} particles with {} surface crossings", counters.propagated,
             counters.crossings);
  if (!options.metrics_json.empty()) {
    write_json_file(options.metrics_json, metrics);
    log->info("metrics written to {}", options.metrics_json);
  }
  if (!options.histograms.empty()) {
    statistics.write_histograms(options.histograms);
    log->info("histograms written to {}", options.histograms);
  }
  return 0;
}

}  // namespace

void register_simulate(CLI::App& app) {
  auto options = std::make_shared<SimulateOptions>();
  CLI::App* command = add_command(app, "simulate",
                                  "Simulate pileup events: particles, material, hits with truth",
                                  [options]() { return run_simulate(*options); });
  command->add_option("-n,--events", options->events, "Number of events to simulate")->required();
  command->add_option("--pileup", options->pileup, "Mean number of pileup collisions (Poisson)")
      ->capture_default_str();
  command->add_option("--process", options->process,
                      "Signal collision: minbias, ttbar or displaced (ttbar plus long-lived exotics)")
      ->capture_default_str();
  command->add_option("--seed", options->seed, "Seed of the run; event i uses a hash of (seed, i)")
      ->capture_default_str();
  command->add_option("-o,--output", options->output, "Output HDF5 event file")->required();
  command->add_option("--threads", options->threads, "Worker threads (0: every core)")
      ->capture_default_str();
  command->add_option("--geometry", options->geometry,
                      "Geometry JSON file (default: data/phase2_like_geometry.json)");
  command->add_option("--metrics-json", options->metrics_json,
                      "Write run metrics (multiplicities, hits, timing) to this JSON file");
  command->add_option("--histograms", options->histograms,
                      "Write histogram text files for the simulation plots into this folder");
}

}  // namespace trackpurity::cli
