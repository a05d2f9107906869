#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "pipeline.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/progress.hpp"
#include "trackpurity/core/version.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/io/event_writer.hpp"
#include "trackpurity/nn/safetensors.hpp"
#include "trackpurity/reco/reconstruction.hpp"
#include "trackpurity/selection/cut_classifier.hpp"
#include "trackpurity/sim/event_simulator.hpp"
#include "trackpurity/truth/association.hpp"
#include "trackpurity/validation/validator.hpp"

#ifdef TRACKPURITY_HAVE_TORCH
#include "trackpurity/nn/torch/torch_engine.hpp"
#endif

namespace trackpurity::cli {

namespace {

struct RunOptions {
  std::uint64_t events = 10;
  double pileup = 200.0;
  std::string process = "ttbar";
  std::uint64_t seed = 1;
  std::string input;
  std::string model;
  std::string output;
  std::string metrics_json;
  std::string report;
  std::size_t threads = 0;
  bool compare_libtorch = true;
};

// One event's products and per-stage wall times [s].
struct RunEvent {
  edm::Event event;
  std::optional<Result<ScoredEvent>> scored;
  std::vector<selection::Quality> qualities;
  double simulation = 0.0;
  double reconstruction = 0.0;
  double libtorch_selection = -1.0;  // negative when not measured
};

std::string default_model_path() { return std::string(TRACKPURITY_SOURCE_DIR) + "/models/trackpurity_hlt15.safetensors"; }

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

StageStatistics statistics_of(std::vector<double> values) {
  StageStatistics statistics;
  statistics.median = nearest_rank_percentile(values, 0.5);
  statistics.p90 = nearest_rank_percentile(values, 0.9);
  return statistics;
}

int run_main_job(const RunOptions& options) {
  const auto log = logging::get("run");
  const auto start = std::chrono::steady_clock::now();
  const std::string model_path = options.model.empty() ? default_model_path() : options.model;

  // 1. The model and its scorers: the production engine, and libtorch as the peer.
  const nn::Model model = nn::load_model(model_path);
  ScorerConfig scorer_config;
  scorer_config.keep_flags = true;
  scorer_config.model_source = model_path;
  const EventScorer scorer(model, scorer_config);
  std::unique_ptr<EventScorer> peer;
  if (options.compare_libtorch && libtorch_engine_available()) {
#ifdef TRACKPURITY_HAVE_TORCH
    nn::set_libtorch_threads(1);  // one thread per event, like the production engine
#endif
    ScorerConfig peer_config = scorer_config;
    peer_config.engine = EngineKind::kLibtorch;
    peer = std::make_unique<EventScorer>(model, peer_config);
  }
  const selection::WorkingPoints& working_points = *scorer.working_points();

  // 2. Where events come from: a track file, or simulation and reconstruction.
  std::unique_ptr<io::EventReader> reader;
  std::unique_ptr<geometry::Geometry> geometry;
  std::unique_ptr<sim::EventSimulator> simulator;
  reco::ReconstructionConfig reco_config = reco::ReconstructionConfig::defaults();
  std::uint64_t event_count = options.events;
  if (!options.input.empty()) {
    reader = std::make_unique<io::EventReader>(options.input);
    require_tracks(*reader);
    if (holds_selected_tracks_only(*reader)) {
      log->warn("{} holds only the tracks a selection kept (`trackpurity select` without "
                "--all-tracks): the rates before selection below are those of that selection",
                options.input);
    }
    event_count = options.events > 0 ? std::min(options.events, reader->event_count())
                                      : reader->event_count();
    log->info("selecting tracks of {} events of {} with {}", event_count, options.input, model_path);
  } else {
    if (options.events == 0) {
      throw ConfigError("--events must be at least 1 when no --input is given");
    }
    const auto process = sim::process_from_name(options.process);
    if (!process) {
      throw ConfigError("--process must be one of minbias, ttbar, displaced, found '" + options.process + "'");
    }
    geometry = std::make_unique<geometry::Geometry>(geometry::Geometry::load(geometry::Geometry::default_path()));
    sim::SimulationConfig sim_config;
    sim_config.process = *process;
    sim_config.pileup = options.pileup;
    simulator = std::make_unique<sim::EventSimulator>(*geometry, sim_config, options.seed);
    log->info("simulating, reconstructing and selecting {} {} events at pileup {} (seed {}) with {}",
              event_count, options.process, options.pileup, options.seed, model_path);
  }
  const bool has_truth = simulator || (reader->available_tables().track_truth && reader->available_tables().particles);

  std::unique_ptr<io::EventWriter> writer;
  if (!options.output.empty()) {
    if (reader) {
      require_distinct_output(options.input, options.output);
    }
    io::EventWriterConfig writer_config;
    writer_config.configuration = nlohmann::json{{"run", {{"model", model_path},
                                                          {"events", event_count},
                                                          {"pileup", options.pileup},
                                                          {"process", options.process},
                                                          {"seed", options.seed},
                                                          {"input", options.input}}},
                                                 {"program_version", std::string(program_version())}}
                                      .dump();
    writer_config.seed = options.seed;
    writer_config.tables = reader ? reader->available_tables() : io::TableMask::all();
    writer_config.extra_track_columns = {{"score", io::ExtraColumnType::kFloat32},
                                         {"keep", io::ExtraColumnType::kUInt8}};
    writer = std::make_unique<io::EventWriter>(options.output, writer_config);
  }

  // 3. Events in parallel batches; the main thread reads, accumulates and writes in order.
  ParallelConfig parallel;
  parallel.threads = options.threads;
  parallel.validate();
  const std::size_t threads = parallel.resolved_threads();
  tbb::global_control concurrency(tbb::global_control::max_allowed_parallelism, threads);
  tbb::enumerable_thread_specific<std::unique_ptr<reco::Reconstructor>> reconstructors;
  const selection::CutClassifier classifier;
  validation::ValidationConfig validation_config;
  validation_config.displaced_dxy_cut = working_points.displaced_dxy_cut;
  validation_config.target_recall = working_points.target_recall;
  validation_config.selection_description =
      fmt::format("model {}, keeping {}", model_path, selection::keep_rule_text(working_points));
  validation::Validator validator(validation_config);
  PipelineSummary summary;
  std::vector<double> simulation_times;
  std::vector<double> reconstruction_times;
  std::vector<double> selection_times;
  std::vector<double> libtorch_times;
  std::uint64_t displaced_genuine = 0;
  std::uint64_t displaced_genuine_kept = 0;
  std::uint64_t flagged = 0;

  ProgressLine progress("run", event_count);
  const std::size_t batch = std::max<std::size_t>(threads, 1);
  for (std::uint64_t first = 0; first < event_count; first += batch) {
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(batch, event_count - first));
    std::vector<RunEvent> events(count);
    if (reader) {
      for (std::size_t i = 0; i < count; ++i) {
        events[i].event = reader->read(first + i);
      }
    }
    tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) {
      RunEvent& item = events[i];
      if (simulator) {
        auto clock = std::chrono::steady_clock::now();
        item.event = simulator->simulate(first + i);
        item.simulation = seconds_since(clock);
        clock = std::chrono::steady_clock::now();
        auto& reconstructor = reconstructors.local();
        if (!reconstructor) {
          reconstructor = std::make_unique<reco::Reconstructor>(*geometry, reco_config);
        }
        reconstructor->reconstruct(item.event);
        item.event.track_truth = truth::associate(item.event);
        item.reconstruction = seconds_since(clock);
      }
      item.scored = scorer.score(item.event);
      if (peer) {
        const auto clock = std::chrono::steady_clock::now();
        const auto peer_result = peer->score(item.event);
        item.libtorch_selection = seconds_since(clock);
        (void)peer_result;
      }
      item.qualities = classifier.classify(item.event);
    });

    for (std::size_t i = 0; i < count; ++i) {
      RunEvent& item = events[i];
      if (!item.scored->ok()) {
        log->warn("event {}: rejected: {}", item.event.number, item.scored->error().message);
        summary.add_rejected_event();
        progress.advance();
        continue;
      }
      const ScoredEvent& scored = item.scored->value();
      summary.add(scored);
      flagged += scored.flagged_tracks;
      simulation_times.push_back(item.simulation);
      reconstruction_times.push_back(item.reconstruction);
      selection_times.push_back(scored.times.features + scored.times.scoring + scored.times.flags);
      if (item.libtorch_selection >= 0.0) {
        libtorch_times.push_back(item.libtorch_selection);
      }
      if (has_truth && item.event.track_truth.size() == item.event.tracks.size()) {
        validator.add({&item.event, scored.scores, scored.keep, item.qualities, scored.dxy_bs});
        for (std::size_t t = 0; t < item.event.tracks.size(); ++t) {
          if (item.event.track_truth[t].genuine && std::abs(scored.dxy_bs[t]) > working_points.displaced_dxy_cut) {
            ++displaced_genuine;
            displaced_genuine_kept += scored.keep[t];
          }
        }
      }
      if (writer) {
        io::ExtraTrackColumns extras;
        extras["score"] = scored.scores;
        extras["keep"] = scored.keep;
        writer->write(item.event, extras);
      }
      progress.advance();
    }
  }
  progress.finish();
  if (writer) {
    writer->close();
  }

  // 4. Summary table and metrics.
  const PipelineCounters& counters = summary.counters();
  const StageStatistics selection_stats = statistics_of(selection_times);
  const StageStatistics libtorch_stats = statistics_of(libtorch_times);
  const double speedup = !libtorch_times.empty() && selection_stats.median > 0
                             ? libtorch_stats.median / selection_stats.median
                             : 0.0;
  const auto& all = validator.summary(validation::kAllTracks);
  const auto& network = validator.summary(validation::kNetwork);
  const double recall_displaced = displaced_genuine > 0
                                      ? static_cast<double>(displaced_genuine_kept) / static_cast<double>(displaced_genuine)
                                      : 0.0;
  const double wall = seconds_since(start);

  std::string table;
  table += fmt::format("\ntrackpurity run: {} events, model {}\n", counters.events, model_path);
  table += fmt::format("  {:<38} {:>12}\n", "tracks in", counters.tracks);
  table += fmt::format("  {:<38} {:>12}\n", "tracks out (kept)", counters.kept_tracks);
  table += fmt::format("  {:<38} {:>12}\n", "tracks flagged (non-finite feature)", flagged);
  if (has_truth) {
    const std::uint64_t fakes_before = all.prompt.tracks - all.prompt.associated_tracks;
    const std::uint64_t fakes_after = network.prompt.tracks - network.prompt.associated_tracks;
    table += fmt::format("  {:<38} {:>12.4f}\n", "recall (genuine tracks kept)", network.recall());
    table += fmt::format("  {:<38} {:>12.4f} ({} genuine tracks)\n", "recall, displaced (|dxy| > cut)",
                         recall_displaced, displaced_genuine);
    table += fmt::format("  {:<38} {:>12}\n", "fakes removed",
                         fmt::format("{} of {}", fakes_before - fakes_after, fakes_before));
    table += fmt::format("  {:<38} {:>6.4f} -> {:.4f}\n", "fake rate before -> after",
                         all.prompt.fake_rate(), network.prompt.fake_rate());
    table += fmt::format("  {:<38} {:>6.4f} -> {:.4f}\n", "duplicate rate before -> after",
                         all.prompt.duplicate_rate(), network.prompt.duplicate_rate());
    table += fmt::format("  {:<38} {:>6.4f} -> {:.4f} ({} particles)\n",
                         "tracking efficiency before -> after", all.prompt.efficiency(),
                         network.prompt.efficiency(), all.prompt.selected_particles);
    table += "    (charged signal particles, pT > 0.9 GeV, |eta| < 2.4, from the beam line)\n";
    table += fmt::format("  {:<38} {:>6.4f} -> {:.4f} ({} particles)\n",
                         "displaced efficiency before -> after", all.displaced.efficiency(),
                         network.displaced.efficiency(), all.displaced.selected_particles);
    table += "    (K0S and Lambda daughters produced 0.5-10 cm from the beam line)\n";
  }
  table += fmt::format("  {:<38} {:>10} {:>10}\n", "wall time per event and thread [ms]", "median", "90 %");
  const auto stage_row = [&](const std::string& name, const StageStatistics& stats) {
    table += fmt::format("  {:<38} {:>10.2f} {:>10.2f}\n", name, 1e3 * stats.median, 1e3 * stats.p90);
  };
  if (simulator) {
    stage_row("simulation", statistics_of(simulation_times));
    stage_row("reconstruction", statistics_of(reconstruction_times));
  }
  stage_row("features", summary.features());
  stage_row("scores (cpu engine)", summary.scoring());
  stage_row("keep flags", summary.flags());
  stage_row("selection (features + scores + flags)", selection_stats);
  if (!libtorch_times.empty()) {
    stage_row("same selection with libtorch scores", libtorch_stats);
    table += fmt::format("  {:<38} {:>10.2f}x\n", "selection speedup vs libtorch", speedup);
  }
  table += fmt::format("  {:<38} {:>10.1f}\n", "peak memory [MiB]", peak_rss_mib());
  table += fmt::format("  {:<38} {:>10.1f}\n", "wall time [s]", wall);
  std::fputs(table.c_str(), stdout);
  std::fflush(stdout);

  nlohmann::json metrics = {
      {"events", counters.events},
      {"tracks_in", counters.tracks},
      {"tracks_out", counters.kept_tracks},
      {"flagged_tracks", flagged},
      {"rejected_events", counters.rejected_events},
      {"selection_ms_per_event", 1e3 * selection_stats.median},
      {"selection_ms_per_event_p90", 1e3 * selection_stats.p90},
      {"features_ms_per_event", 1e3 * summary.features().median},
      {"scores_ms_per_event", 1e3 * summary.scoring().median},
      {"peak_rss_mb", peak_rss_mib()},
      {"wall_seconds", wall},
      {"model", model_path},
      {"working_points", selection::to_json(working_points)}};
  if (!libtorch_times.empty()) {
    metrics["libtorch_selection_ms_per_event"] = 1e3 * libtorch_stats.median;
    metrics["selection_speedup_vs_libtorch"] = speedup;
  } else {
    metrics["selection_speedup_vs_libtorch"] = nullptr;
  }
  if (simulator) {
    metrics["simulation_ms_per_event"] = 1e3 * statistics_of(simulation_times).median;
    metrics["reconstruction_ms_per_event"] = 1e3 * statistics_of(reconstruction_times).median;
  }
  if (has_truth) {
    metrics["recall"] = network.recall();
    metrics["recall_displaced"] = recall_displaced;
    metrics["displaced_genuine_tracks"] = displaced_genuine;
    metrics["fake_rate_before"] = all.prompt.fake_rate();
    metrics["fake_rate_after"] = network.prompt.fake_rate();
    metrics["duplicate_rate_before"] = all.prompt.duplicate_rate();
    metrics["duplicate_rate_after"] = network.prompt.duplicate_rate();
    metrics["tracking_efficiency_before"] = all.prompt.efficiency();
    metrics["tracking_efficiency_after"] = network.prompt.efficiency();
    metrics["displaced_efficiency_before"] = all.displaced.efficiency();
    metrics["displaced_efficiency_after"] = network.displaced.efficiency();
    metrics["validation"] = validator.metrics();
  }
  if (!options.metrics_json.empty()) {
    write_json_file(options.metrics_json, metrics);
  }
  if (!options.report.empty()) {
    if (!has_truth) {
      throw ConfigError("--report needs truth-labelled tracks and particles; " + options.input + " has none");
    }
    validator.write_report(options.report);
    log->info("validation report in {}", (std::filesystem::path(options.report) / "report.md").string());
  }
  log->info("{} events, {} tracks in, {} kept, in {:.1f} s", counters.events, counters.tracks,
            counters.kept_tracks, wall);
  return 0;
}

}  // namespace

void register_run(CLI::App& app) {
  auto options = std::make_shared<RunOptions>();
  CLI::App* command = add_command(
      app, "run",
      "The main job: simulate and reconstruct pileup events (or read --input), select "
      "high-purity tracks and print a summary",
      [options]() { return run_main_job(*options); });
  command->add_option("--events", options->events, "Events to process (with --input, 0: all)")
      ->capture_default_str();
  command->add_option("--pileup", options->pileup, "Mean pileup of simulated events")
      ->capture_default_str();
  command->add_option("--process", options->process, "Simulated process: ttbar, minbias, displaced")
      ->capture_default_str();
  command->add_option("--seed", options->seed, "Seed of the simulation")->capture_default_str();
  command->add_option("--input", options->input, "Reconstructed track file instead of simulation");
  command->add_option("--model", options->model,
                      "Calibrated model (default: models/trackpurity_hlt15.safetensors)");
  command->add_option("-o,--output", options->output,
                      "Event file with every track and its score and keep flag");
  command->add_option("--metrics-json", options->metrics_json, "Write the summary as JSON");
  command->add_option("--report", options->report, "Write the validation report to this folder");
  command->add_option("--threads", options->threads, "Threads (0: all cores)")->capture_default_str();
  command->add_flag("!--no-libtorch", options->compare_libtorch,
                    "Skip the libtorch comparison of the selection time");
}

}  // namespace trackpurity::cli
