#include <chrono>
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

int run_score(const ScoringOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const auto logger = logging::get("score");

  const ScorerConfig scorer_config = options.scorer_config(/*keep_flags=*/false);
  const ParallelConfig parallel = options.parallel_config();
  require_distinct_output(options.tracks_path, options.output_path);
  const nn::Model model = nn::load_model(options.model_path);
  const EventScorer scorer(model, scorer_config);

  const io::EventReader reader(options.tracks_path);
  require_tracks(reader);
  const io::TableMask tables =
      io::TableMask::tracks_without_hits().intersect(reader.available_tables());

  io::EventWriterConfig writer_config;
  writer_config.configuration =
      add_stage_configuration(reader.attributes().configuration, "score",
                              {{"model", options.model_path},
                               {"input", options.tracks_path},
                               {"engine", to_string(scorer_config.engine)},
                               {"non_finite", to_string(scorer_config.non_finite)}});
  writer_config.seed = reader.attributes().seed;
  writer_config.tables = tables;
  writer_config.extra_track_columns = {{"score", io::ExtraColumnType::kFloat32}};
  io::EventWriter writer(options.output_path, writer_config);

  logger->debug("scoring {} events of {} with model {} ({} engine, {} threads)",
                reader.event_count(), options.tracks_path, options.model_path,
                scorer.engine().name(), parallel.resolved_threads());
  ProgressLine progress("score", reader.event_count());
  PipelineSummary summary;
  for_each_event(
      reader, tables, parallel, [&](EventSlot& slot) { slot.result = scorer.score(slot.event); },
      [&](EventSlot& slot) {
        if (!slot.result->ok()) {
          throw_rejected_event(options.tracks_path, slot);
        }
        ScoredEvent& scored = slot.result->value();
        summary.add(scored);
        writer.write(slot.event, {{"score", std::move(scored.scores)}});
        progress.advance();
      });
  writer.close();
  progress.finish();

  const PipelineCounters& counters = summary.counters();
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  logger->info(
      "scored {} tracks in {} events with the {} engine in {:.2f} s; {} tracks flagged "
      "for a non-finite feature (score 0); wrote {}",
      counters.tracks, counters.events, scorer.engine().name(), elapsed, counters.flagged_tracks,
      options.output_path);
  logger->info("{}", summary.describe_timings());
  return 0;
}

}  // namespace

void register_score(CLI::App& app) {
  auto options = std::make_shared<ScoringOptions>();
  CLI::App* command = add_command(
      app, "score",
      "Score every track with a model and write the tracks with a float32 `score` column",
      [options]() { return run_score(*options); });
  add_scoring_options(*command, *options,
                      "Output event file: tracks with hit patterns, truth and vertices, plus "
                      "`score`");
}

}  // namespace trackpurity::cli
