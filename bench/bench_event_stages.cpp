// Simulation and reconstruction time of one pileup-200 ttbar event on one
// thread, with the shipped geometry. BM_SimulateEvent simulates a new event
// per iteration; BM_ReconstructEvent cycles over three simulated events.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/reco/reconstruction.hpp"
#include "trackpurity/sim/event_simulator.hpp"
#include "trackpurity/truth/association.hpp"

namespace {

using namespace trackpurity;

const geometry::Geometry& shipped_geometry() {
  static const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  return geometry;
}

sim::SimulationConfig pileup_config(double pileup) {
  sim::SimulationConfig config;
  config.process = sim::Process::kTtbar;
  config.pileup = pileup;
  return config;
}

void BM_SimulateEvent(benchmark::State& state) {
  const sim::EventSimulator simulator(shipped_geometry(), pileup_config(static_cast<double>(state.range(0))), 7);
  std::uint64_t index = 0;
  std::uint64_t hits = 0;
  for (auto _ : state) {
    const edm::Event event = simulator.simulate(index++);
    hits += event.hits.size();
    benchmark::DoNotOptimize(event.hits.data());
  }
  state.counters["hits_per_event"] = static_cast<double>(hits) / static_cast<double>(index);
}
BENCHMARK(BM_SimulateEvent)->Arg(200)->Unit(benchmark::kMillisecond)->Iterations(5);

void BM_ReconstructEvent(benchmark::State& state) {
  const sim::EventSimulator simulator(shipped_geometry(), pileup_config(static_cast<double>(state.range(0))), 7);
  reco::Reconstructor reconstructor(shipped_geometry(), reco::ReconstructionConfig::defaults());
  std::vector<edm::Event> events;
  for (std::uint64_t index = 0; index < 3; ++index) {
    events.push_back(simulator.simulate(index));
  }
  std::size_t next = 0;
  std::uint64_t tracks = 0;
  std::uint64_t reconstructed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    edm::Event event = events[next++ % events.size()];
    state.ResumeTiming();
    reconstructor.reconstruct(event);
    event.track_truth = truth::associate(event);
    tracks += event.tracks.size();
    ++reconstructed;
  }
  state.counters["tracks_per_event"] = static_cast<double>(tracks) / static_cast<double>(reconstructed);
}
BENCHMARK(BM_ReconstructEvent)->Arg(200)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace

BENCHMARK_MAIN();
