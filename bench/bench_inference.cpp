// Scores one event of random tracks with the reference architecture (seeded
// random weights), through the cpu engine and through libtorch.
// Run: build/bench/bench_inference [--benchmark_repetitions=5]

#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "trackpurity/nn/cpu_engine.hpp"

#ifdef TRACKPURITY_HAVE_TORCH
#include <ATen/Parallel.h>

#include "trackpurity/nn/torch/torch_engine.hpp"
#endif

namespace {

using namespace trackpurity;

struct Event {
  nn::Model model;
  std::vector<std::vector<float>> columns;
  std::vector<const float*> pointers;
};

Event make_event(std::size_t tracks) {
  std::vector<std::string> names;
  for (int i = 0; i < 15; ++i) names.push_back(fmt::format("feature_{}", i));
  Event event{nn::make_random_model(nn::Architecture{}, names, 20261204), {}, {}};
  std::mt19937_64 engine(1);
  for (std::size_t i = 0; i < 15; ++i) {
    std::uniform_real_distribution<double> uniform(event.model.feature_min[i],
                                                   event.model.feature_max[i]);
    std::vector<float> column(tracks);
    for (float& value : column) value = static_cast<float>(uniform(engine));
    event.columns.push_back(std::move(column));
  }
  for (const auto& column : event.columns) event.pointers.push_back(column.data());
  return event;
}

void score_event(benchmark::State& state, const nn::Engine& engine, const Event& event) {
  const auto tracks = static_cast<std::size_t>(state.range(0));
  std::vector<float> scores(tracks);
  for (auto _ : state) {
    engine.score(event.pointers, tracks, scores);
    benchmark::DoNotOptimize(scores.data());
    benchmark::ClobberMemory();
  }
  const double flops = 2.0 * static_cast<double>(event.model.architecture.multiply_adds_per_row()) *
                       static_cast<double>(tracks);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * tracks));
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * static_cast<double>(state.iterations()) / 1e9,
                         benchmark::Counter::kIsRate);
}

void BM_CpuEngine(benchmark::State& state) {
  static const Event event = make_event(5000);
  static const nn::CpuEngine engine(event.model);
  state.SetLabel(engine.kernel().target);
  score_event(state, engine, event);
}
BENCHMARK(BM_CpuEngine)->Arg(5000)->Unit(benchmark::kMillisecond);

#ifdef TRACKPURITY_HAVE_TORCH
void BM_LibtorchEngine(benchmark::State& state) {
  static const Event event = make_event(5000);
  static const nn::TorchEngine engine(event.model);
  score_event(state, engine, event);
}
BENCHMARK(BM_LibtorchEngine)->Arg(5000)->Unit(benchmark::kMillisecond);
#endif

}  // namespace

int main(int argc, char** argv) {
#ifdef TRACKPURITY_HAVE_TORCH
  nn::set_libtorch_threads(1);
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
