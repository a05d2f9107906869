// trackpurity bench inference: times the inference engines on one event of
// random tracks and compares them with libtorch and with the reference engine.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/nn/cpu_engine.hpp"
#include "trackpurity/nn/reference_engine.hpp"
#include "trackpurity/nn/safetensors.hpp"

#ifdef TRACKPURITY_HAVE_TORCH
#include <ATen/Parallel.h>

#include "trackpurity/nn/torch/torch_engine.hpp"
#endif

namespace trackpurity::cli {

namespace {

struct InferenceBenchOptions {
  // Model file; empty means the reference architecture with seeded random weights.
  std::string model;
  // Tracks per event (rows scored by one call).
  std::size_t tracks = 5000;
  // Threads per event: rows are split between them (libtorch: intra-op threads).
  std::size_t threads = 1;
  // Timed events per engine; the reference engine runs at most 3.
  std::size_t repetitions = 50;
  // Seed of the random weights and inputs.
  std::uint64_t seed = 20261204;
  // Peak FP32 GFLOP/s of one core; 0 means estimate it from the SIMD width and /proc/cpuinfo.
  double peak_gflops = 0.0;
  bool json = false;
};

// The reference engine is slow by design; a few events give its timing.
constexpr std::size_t kMaxReferenceRepetitions = 3;

std::vector<std::string> numbered_features(std::size_t count) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i) names.push_back(fmt::format("feature_{}", i));
  return names;
}

// Column-major random inputs inside each feature's normalisation range.
struct Event {
  std::vector<std::vector<float>> columns;
  std::vector<const float*> pointers;
};

Event make_event(const nn::Model& model, std::size_t tracks, std::uint64_t seed) {
  Event event;
  std::mt19937_64 engine(seed);
  for (std::size_t i = 0; i < model.feature_min.size(); ++i) {
    std::uniform_real_distribution<double> uniform(model.feature_min[i], model.feature_max[i]);
    std::vector<float> column(tracks);
    for (float& value : column) value = static_cast<float>(uniform(engine));
    event.columns.push_back(std::move(column));
  }
  for (const auto& column : event.columns) event.pointers.push_back(column.data());
  return event;
}

std::size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t total_pages = 0;
  std::size_t resident_pages = 0;
  statm >> total_pages >> resident_pages;
  return resident_pages * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

std::size_t peak_resident_bytes() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

// First "cpu MHz" and "model name" of /proc/cpuinfo.
struct CpuInfo {
  std::string model_name = "unknown";
  double mhz = 0.0;
};

CpuInfo read_cpu_info() {
  CpuInfo info;
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string value = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (line.starts_with("model name") && info.model_name == "unknown") info.model_name = value;
    if (line.starts_with("cpu MHz") && info.mhz == 0.0) info.mhz = std::atof(value.c_str());
  }
  return info;
}

// Scores the event with `threads` threads, each taking a contiguous share of the rows.
// NOTE: with --threads > 1 on a machine with few cores, TBB workers that still spin after
// this split compete with libtorch's OpenMP threads in the next round, so the libtorch
// time is inflated (255 ms instead of about 10 ms per 2,000 tracks seen on 2 cores).
void score_split(const nn::Engine& engine, const Event& event, std::size_t tracks,
                 std::span<float> out, std::size_t threads, tbb::task_arena& arena) {
  if (threads <= 1) {
    engine.score(event.pointers, tracks, out);
    return;
  }
  arena.execute([&]() {
    tbb::parallel_for(std::size_t{0}, threads, [&](std::size_t part) {
      const std::size_t first = tracks * part / threads;
      const std::size_t last = tracks * (part + 1) / threads;
      std::vector<const float*> columns;
      for (const float* column : event.pointers) columns.push_back(column + first);
      engine.score(columns, last - first, out.subspan(first, last - first));
    });
  });
}

struct EngineResult {
  std::string engine;
  std::size_t repetitions = 0;
  double median_ms = 0.0;
  double min_ms = 0.0;
  double max_ms = 0.0;
  double max_abs_diff = 0.0;
};

// An engine under test: how many events it scores and whether the bench
// splits rows between threads for it (libtorch uses its own threads).
struct TimedEngine {
  const nn::Engine* engine = nullptr;
  std::size_t repetitions = 0;
  bool split_rows = true;
  std::vector<double> times_ms;
  std::vector<float> scores;
};

// Times the engines round-robin, one event each per round, so that a load
// change on a shared machine affects all of them alike.
std::vector<EngineResult> time_engines(std::vector<TimedEngine>& engines, const Event& event,
                                       std::size_t tracks, std::size_t threads,
                                       tbb::task_arena& arena,
                                       const std::vector<double>& reference_scores) {
  std::size_t rounds = 0;
  for (TimedEngine& timed : engines) {
    timed.scores.assign(tracks, 0.0F);
    score_split(*timed.engine, event, tracks, timed.scores, timed.split_rows ? threads : 1,
                arena);  // warm-up
    rounds = std::max(rounds, timed.repetitions);
  }
  for (std::size_t round = 0; round < rounds; ++round) {
    for (TimedEngine& timed : engines) {
      if (round >= timed.repetitions) continue;
      const auto start = std::chrono::steady_clock::now();
      score_split(*timed.engine, event, tracks, timed.scores, timed.split_rows ? threads : 1,
                  arena);
      const auto stop = std::chrono::steady_clock::now();
      timed.times_ms.push_back(std::chrono::duration<double, std::milli>(stop - start).count());
    }
  }

  std::vector<EngineResult> results;
  for (TimedEngine& timed : engines) {
    std::vector<double>& times = timed.times_ms;
    std::sort(times.begin(), times.end());
    EngineResult result;
    result.engine = std::string(timed.engine->name());
    result.repetitions = times.size();
    const std::size_t n = times.size();
    result.median_ms = n % 2 == 1 ? times[n / 2] : 0.5 * (times[n / 2 - 1] + times[n / 2]);
    result.min_ms = times.front();
    result.max_ms = times.back();
    for (std::size_t row = 0; row < tracks; ++row) {
      result.max_abs_diff = std::max(
          result.max_abs_diff, std::fabs(static_cast<double>(timed.scores[row]) - reference_scores[row]));
    }
    results.push_back(result);
  }
  return results;
}

int run_inference_bench(const InferenceBenchOptions& options) {
  auto log = logging::get("bench");
  if (options.tracks == 0 || options.threads == 0 || options.repetitions == 0) {
    throw ConfigError("--tracks, --threads and --repetitions must be at least 1");
  }
#ifdef TRACKPURITY_HAVE_TORCH
  // Set before libtorch starts any thread; both apply to the whole process.
  nn::set_libtorch_threads(static_cast<int>(options.threads));
#endif

  // 1. Model and event.
  nn::Model model = options.model.empty()
                        ? nn::make_random_model(nn::Architecture{}, numbered_features(15), options.seed)
                        : nn::load_model(options.model);
  const Event event = make_event(model, options.tracks, options.seed + 1);
  const std::size_t multiply_adds = model.architecture.multiply_adds_per_row();

  // 2. The cpu engine first, so that its resident memory is measured on a quiet heap.
  const std::size_t resident_before = resident_bytes();
  const nn::CpuEngine cpu(model);
  {
    std::vector<float> warm_up(options.tracks);
    cpu.score(event.pointers, options.tracks, warm_up);
  }
  const std::size_t resident_after = resident_bytes();
  const double cpu_added_bytes =
      static_cast<double>(resident_after) - static_cast<double>(resident_before);

  // 3. Reference scores for the differences.
  const nn::ReferenceEngine reference(model);
  std::vector<double> reference_scores(options.tracks);
  reference.score_double(event.pointers, options.tracks, reference_scores);

  // 4. Timing on the same event.
  tbb::task_arena arena(static_cast<int>(options.threads));
  std::vector<TimedEngine> engines;
  engines.push_back({&cpu, options.repetitions, true, {}, {}});
  engines.push_back(
      {&reference, std::min(options.repetitions, kMaxReferenceRepetitions), true, {}, {}});
#ifdef TRACKPURITY_HAVE_TORCH
  const nn::TorchEngine torch_engine(model);
  engines.push_back({&torch_engine, options.repetitions, false, {}, {}});
#endif
  const std::vector<EngineResult> results =
      time_engines(engines, event, options.tracks, options.threads, arena, reference_scores);
  const std::size_t peak_rss = peak_resident_bytes();

  // 5. Derived numbers: speed ratios, GFLOP/s and the peak estimate.
  const CpuInfo cpu_info = read_cpu_info();
  const double lanes = static_cast<double>(cpu.kernel().lanes);
  // Peak estimate: lanes x 2 flops per FMA x 2 FMA units x clock, per thread.
  const double peak_per_core =
      options.peak_gflops > 0.0 ? options.peak_gflops : lanes * 2.0 * 2.0 * cpu_info.mhz / 1000.0;
  const double peak = peak_per_core * static_cast<double>(options.threads);
  if (!(peak > 0.0)) {
    log->warn("no CPU clock found in /proc/cpuinfo, so the peak fraction is reported as 0; "
              "pass --peak-gflops to set the peak");
  }
  std::optional<double> libtorch_ms;
  for (const EngineResult& result : results) {
    if (result.engine == "libtorch") libtorch_ms = result.median_ms;
  }

  nlohmann::json report = {
      {"benchmark", "inference"},
      {"model", options.model.empty() ? "reference architecture, random weights" : options.model},
      {"architecture", nn::describe(model.architecture)},
      {"parameters", model.parameter_count()},
      {"multiply_adds_per_track", multiply_adds},
      {"tracks_per_event", options.tracks},
      {"threads", options.threads},
      {"cpu_model", cpu_info.model_name},
      {"cpu_mhz", cpu_info.mhz},
      {"simd_target", cpu.kernel().target},
      {"simd_lanes", cpu.kernel().lanes},
      {"tile_rows", cpu.kernel().tile_rows},
      {"peak_gflops_estimate", peak},
      {"peak_is_estimate", true},
      {"timing", "engines alternate, one event each per round"},
      {"process_peak_rss_bytes", peak_rss},
      {"cpu_engine_weight_bytes", cpu.weight_bytes()},
      {"cpu_engine_workspace_bytes", cpu.workspace_floats() * sizeof(float)},
      {"cpu_engine_added_resident_bytes_beyond_weights",
       cpu_added_bytes - static_cast<double>(cpu.weight_bytes())},
      {"engines", nlohmann::json::array()},
  };
  for (const EngineResult& result : results) {
    const double seconds = result.median_ms / 1000.0;
    const double gflops = 2.0 * static_cast<double>(multiply_adds) *
                          static_cast<double>(options.tracks) / seconds / 1e9;
    report["engines"].push_back({
        {"engine", result.engine},
        {"repetitions", result.repetitions},
        {"median_ms_per_event", result.median_ms},
        {"min_ms_per_event", result.min_ms},
        {"max_ms_per_event", result.max_ms},
        {"tracks_per_second", static_cast<double>(options.tracks) / seconds},
        {"speedup_vs_libtorch",
         libtorch_ms ? nlohmann::json(*libtorch_ms / result.median_ms) : nlohmann::json(nullptr)},
        {"gflops", gflops},
        {"fraction_of_peak_estimate", peak > 0.0 ? gflops / peak : 0.0},
        {"max_abs_diff_vs_reference", result.max_abs_diff},
    });
  }

  // 6. Output.
  if (options.json) {
    std::cout << report.dump(2) << '\n';
    return 0;
  }
  std::cout << fmt::format(
      "{} tracks per event, {} thread(s), {} ({} parameters, {} multiply-adds per track)\n"
      "CPU: {}, SIMD target {} ({} floats), estimated FP32 peak {:.1f} GFLOP/s\n"
      "cpu engine memory: weights {:.1f} KiB, workspace {:.1f} KiB, resident added beyond "
      "weights {:.1f} KiB; process peak RSS {:.1f} MiB\n\n",
      options.tracks, options.threads, nn::describe(model.architecture), model.parameter_count(),
      multiply_adds, cpu_info.model_name, cpu.kernel().target, cpu.kernel().lanes, peak,
      static_cast<double>(cpu.weight_bytes()) / 1024.0,
      static_cast<double>(cpu.workspace_floats() * sizeof(float)) / 1024.0,
      (cpu_added_bytes - static_cast<double>(cpu.weight_bytes())) / 1024.0,
      static_cast<double>(peak_rss) / (1024.0 * 1024.0));
  std::cout << fmt::format("{:<10} {:>5} {:>10} {:>10} {:>10} {:>12} {:>8} {:>8} {:>7} {:>10}\n",
                           "engine", "reps", "median ms", "min ms", "max ms", "tracks/s",
                           "speedup", "GFLOP/s", "peak %", "max |diff|");
  for (const nlohmann::json& engine : report["engines"]) {
    const std::string speedup = engine["speedup_vs_libtorch"].is_null()
                                    ? "n/a"
                                    : fmt::format("{:.2f}", engine["speedup_vs_libtorch"].get<double>());
    std::cout << fmt::format(
        "{:<10} {:>5} {:>10.3f} {:>10.3f} {:>10.3f} {:>12.0f} {:>8} {:>8.1f} {:>7.1f} {:>10.2e}\n",
        engine["engine"].get<std::string>(), engine["repetitions"].get<std::size_t>(),
        engine["median_ms_per_event"].get<double>(), engine["min_ms_per_event"].get<double>(),
        engine["max_ms_per_event"].get<double>(), engine["tracks_per_second"].get<double>(), speedup,
        engine["gflops"].get<double>(), 100.0 * engine["fraction_of_peak_estimate"].get<double>(),
        engine["max_abs_diff_vs_reference"].get<double>());
  }
  std::cout << "\nGFLOP/s counts 2 flops per multiply-add of the Linear layers. The peak is an "
               "estimate: SIMD lanes x 2 FMA units x 2 flops x the clock from /proc/cpuinfo "
               "(or --peak-gflops), per thread.\n";
  log->debug("bench inference finished");
  return 0;
}

}  // namespace

void register_bench(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "Benchmark the inference engines");
  bench->require_subcommand(1);

  auto options = std::make_shared<InferenceBenchOptions>();
  CLI::App* inference = add_command(
      *bench, "inference",
      "Time the cpu, reference and libtorch engines on one event of random tracks",
      [options]() { return run_inference_bench(*options); });
  inference->add_option("--model", options->model,
                        "Model file (safetensors); default: the reference architecture with "
                        "seeded random weights");
  inference->add_option("--tracks", options->tracks, "Tracks per event")->capture_default_str();
  inference->add_option("--threads", options->threads,
                        "Threads per event (cpu and reference split the rows; libtorch uses "
                        "intra-op threads)")
      ->capture_default_str();
  inference->add_option("--repetitions", options->repetitions,
                        "Timed events per engine (the reference engine runs at most 3)")
      ->capture_default_str();
  inference->add_option("--seed", options->seed, "Seed of the random weights and inputs")
      ->capture_default_str();
  inference->add_option("--peak-gflops", options->peak_gflops,
                        "FP32 peak of one core in GFLOP/s; default: an estimate from the SIMD "
                        "width, 2 FMA units and the clock in /proc/cpuinfo");
  inference->add_flag("--json", options->json, "Print the results as JSON");
}

}  // namespace trackpurity::cli
