#include <chrono>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "pipeline.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/progress.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/nn/safetensors.hpp"
#include "trackpurity/selection/cut_classifier.hpp"
#include "trackpurity/selection/working_points.hpp"
#include "trackpurity/validation/validator.hpp"

namespace trackpurity::cli {

namespace {

struct ValidateOptions {
  std::string model;
  std::string tracks;
  std::string report;
  std::string engine = "cpu";
  std::size_t threads = 0;
};

int run_validate(const ValidateOptions& options) {
  const auto log = logging::get("validation");
  const auto start = std::chrono::steady_clock::now();

  const nn::Model model = nn::load_model(options.model);
  ScorerConfig scorer_config;
  scorer_config.engine = parse_engine_kind(options.engine);
  scorer_config.keep_flags = true;
  scorer_config.model_source = options.model;
  const EventScorer scorer(model, scorer_config);

  const io::EventReader reader(options.tracks);
  require_tracks(reader);
  require_all_tracks(reader);
  const io::TableMask& available = reader.available_tables();
  if (!available.track_truth || !available.particles) {
    throw FileError(options.tracks, available.track_truth ? "particles" : "tracks/truth_genuine",
                    "missing: validation needs simulated particles and truth-labelled tracks");
  }

  validation::ValidationConfig config;
  config.displaced_dxy_cut = scorer.working_points()->displaced_dxy_cut;
  config.selection_description =
      fmt::format("model {}, keeping {}", options.model,
                  selection::keep_rule_text(*scorer.working_points()));
  validation::Validator validator(config);
  const selection::CutClassifier classifier;
  ParallelConfig parallel;
  parallel.threads = options.threads;
  ProgressLine progress("validate", reader.event_count());

  for_each_event(
      reader, io::TableMask::all(), parallel,
      [&](EventSlot& slot) { slot.result = scorer.score(slot.event); },
      [&](EventSlot& slot) {
        if (!slot.result->ok()) {
          throw_rejected_event(options.tracks, slot);
        }
        const ScoredEvent& scored = slot.result->value();
        const std::vector<selection::Quality> qualities = classifier.classify(slot.event);
        validator.add({&slot.event, scored.scores, scored.keep, qualities, scored.dxy_bs});
        progress.advance();
      });
  progress.finish();

  validator.write_report(options.report);
  const nlohmann::json metrics = validator.metrics();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log->info("{} events, {} tracks in {:.1f} s; AUC {:.5f} +- {:.5f}", validator.events(),
            metrics["tracks"].get<std::uint64_t>(), seconds, metrics["auc"].get<double>(),
            metrics["auc_error"].get<double>());
  log->info("network: recall {:.4f}, fake rate {:.4f}; cut-based: recall {:.4f}, fake rate {:.4f}; "
            "network at the cut-based recall: fake rate {:.2g}",
            metrics["dnn"]["recall"].get<double>(), metrics["dnn"]["fake_rate"].get<double>(),
            metrics["cut"]["recall"].get<double>(), metrics["cut"]["fake_rate"].get<double>(),
            metrics["dnn_fake_rate_at_cut_recall"].get<double>());
  log->info("tracking-efficiency loss: {:.4f} prompt, {:.4f} displaced; report in {}",
            metrics["efficiency_loss_prompt"].get<double>(),
            metrics["efficiency_loss_displaced"].get<double>(),
            (std::filesystem::path(options.report) / "report.md").string());
  return 0;
}

}  // namespace

void register_validate(CLI::App& app) {
  auto options = std::make_shared<ValidateOptions>();
  CLI::App* command = add_command(
      app, "validate",
      "Validate a selection: efficiency, fake and duplicate rates against the cut-based "
      "selection, ROC, score plots and a report",
      [options]() { return run_validate(*options); });
  command->add_option("MODEL", options->model, "Calibrated model file (.safetensors)")->required();
  command->add_option("TRACKS", options->tracks, "Reconstructed events with particles and truth")
      ->required();
  command->add_option("--report", options->report, "Folder for the plots, report.md and metrics.json")
      ->required();
  command->add_option("--engine", options->engine, "Inference engine: cpu, reference or libtorch")
      ->capture_default_str();
  command->add_option("--threads", options->threads, "Threads (0: all cores)")->capture_default_str();
}

}  // namespace trackpurity::cli
