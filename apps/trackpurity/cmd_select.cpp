#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "pipeline.hpp"
#include "scoring_options.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/progress.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/io/event_writer.hpp"
#include "trackpurity/nn/safetensors.hpp"

namespace trackpurity::cli {

namespace {

struct SelectOptions {
  ScoringOptions scoring;
  // Write every track with `score` and `keep` instead of only the kept tracks.
  bool all_tracks = false;
};

// Keeps, in order, the elements of `values` whose keep flag is 1. Moves them.
template <typename T>
void keep_flagged(std::vector<T>& values, const std::vector<std::uint8_t>& keep) {
  std::size_t kept = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (keep[i] != 0) {
      if (kept != i) {
        values[kept] = std::move(values[i]);
      }
      ++kept;
    }
  }
  values.resize(kept);
}

// Drops the tracks that the selection does not keep, with their truth and scores.
void remove_rejected_tracks(edm::Event& event, ScoredEvent& scored) {
  keep_flagged(event.tracks, scored.keep);
  if (!event.track_truth.empty()) {
    keep_flagged(event.track_truth, scored.keep);
  }
  keep_flagged(scored.scores, scored.keep);
}

int run_select(const SelectOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const auto logger = logging::get("select");
  const ScoringOptions& scoring = options.scoring;

  const ScorerConfig scorer_config = scoring.scorer_config(/*keep_flags=*/true);
  const ParallelConfig parallel = scoring.parallel_config();
  require_distinct_output(scoring.tracks_path, scoring.output_path);
  const nn::Model model = nn::load_model(scoring.model_path);
  const EventScorer scorer(model, scorer_config);
  const selection::WorkingPoints& working_points = *scorer.working_points();

  const io::EventReader reader(scoring.tracks_path);
  require_tracks(reader);
  const io::TableMask tables = io::TableMask::all().intersect(reader.available_tables());

  io::EventWriterConfig writer_config;
  writer_config.configuration =
      add_stage_configuration(reader.attributes().configuration, "select",
                              {{"model", scoring.model_path},
                               {"input", scoring.tracks_path},
                               {"engine", to_string(scorer_config.engine)},
                               {"non_finite", to_string(scorer_config.non_finite)},
                               {"all_tracks", options.all_tracks},
                               {"working_points", selection::to_json(working_points)}});
  writer_config.seed = reader.attributes().seed;
  writer_config.tables = tables;
  writer_config.extra_track_columns = {{"score", io::ExtraColumnType::kFloat32}};
  if (options.all_tracks) {
    writer_config.extra_track_columns.push_back({"keep", io::ExtraColumnType::kUInt8});
  }
  io::EventWriter writer(scoring.output_path, writer_config);

  logger->debug(
      "selecting tracks of {} events of {} with model {} ({} engine, {} threads): "
      "main threshold {:.6g}, displaced threshold {:.6g}",
      reader.event_count(), scoring.tracks_path, scoring.model_path, scorer.engine().name(),
      parallel.resolved_threads(), working_points.main_threshold,
      working_points.displaced_threshold);
  ProgressLine progress("select", reader.event_count());
  PipelineSummary summary;
  for_each_event(
      reader, tables, parallel,
      [&](EventSlot& slot) {
        slot.result = scorer.score(slot.event);
        if (!options.all_tracks && slot.result->ok()) {
          remove_rejected_tracks(slot.event, slot.result->value());
        }
      },
      [&](EventSlot& slot) {
        if (!slot.result->ok()) {
          throw_rejected_event(scoring.tracks_path, slot);
        }
        ScoredEvent& scored = slot.result->value();
        summary.add(scored);
        io::ExtraTrackColumns extras;
        extras.emplace("score", std::move(scored.scores));
        if (options.all_tracks) {
          extras.emplace("keep", std::move(scored.keep));
        }
        writer.write(slot.event, extras);
        progress.advance();
      });
  writer.close();
  progress.finish();

  const PipelineCounters& counters = summary.counters();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double kept_fraction = counters.tracks > 0 ? static_cast<double>(counters.kept_tracks) /
                                                         static_cast<double>(counters.tracks)
                                                   : 0.0;
  logger->info(
      "kept {} of {} tracks ({:.2f} %) in {} events with the {} engine in {:.2f} s; {} "
      "tracks flagged for a non-finite feature; wrote {} ({})",
      counters.kept_tracks, counters.tracks, 100.0 * kept_fraction, counters.events,
      scorer.engine().name(), elapsed, counters.flagged_tracks, scoring.output_path,
      options.all_tracks ? "every track with score and keep" : "kept tracks only");
  logger->info("{}", summary.describe_timings());
  return 0;
}

}  // namespace

void register_select(CLI::App& app) {
  auto options = std::make_shared<SelectOptions>();
  CLI::App* command =
      add_command(app, "select",
                  "Score tracks, apply the model's working points and write the high-purity tracks",
                  [options]() { return run_select(*options); });
  add_scoring_options(*command, options->scoring,
                      "Output event file: the kept tracks with their hit lists, hit patterns and "
                      "truth, the event's hits, particles and vertices, and `score`");
  command->add_flag("--all-tracks", options->all_tracks,
                    "Write every track with both `score` and `keep` (uint8) columns, as "
                    "validation reads them");
}

}  // namespace trackpurity::cli
