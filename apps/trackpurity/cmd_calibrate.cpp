#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "pipeline.hpp"
#include "scoring_options.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/progress.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/nn/safetensors.hpp"
#include "trackpurity/selection/calibration.hpp"
#include "trackpurity/truth/association.hpp"

namespace trackpurity::cli {

namespace {

struct CalibrateOptions {
  ScoringOptions scoring;
  double target_recall = 0.995;
  double displaced_dxy_cut_cm = 0.5;
  bool no_displaced_category = false;
  bool no_displaced_origin = false;
  std::vector<double> displaced_origin_radius_cm = {0.5, 10.0};
  std::vector<std::string> extra_samples;  // track files pooled with the main one
};

// Per-track inputs of the calibration, in file order.
struct CalibrationSample {
  std::vector<float> scores;
  std::vector<std::uint8_t> genuine;
  std::vector<float> dxy_bs;
  std::vector<std::uint8_t> displaced_origin;  // empty without the displaced-origin category
};

void require_truth(const io::EventReader& reader) {
  if (!reader.available_tables().track_truth) {
    throw FileError(reader.path(), "tracks/truth_genuine",
                    "missing truth columns (truth_particle, truth_shared_fraction, "
                    "truth_genuine, truth_duplicate): calibration needs truth-labelled tracks, "
                    "as `trackpurity reconstruct` writes them");
  }
}

void print_category(const char* label, const selection::CategoryCalibration& category) {
  fmt::print(
      "  {:<10} {} of {} genuine tracks kept, recall {:.5f} (68.27 % CL interval "
      "[{:.5f}, {:.5f}])\n",
      label, category.kept_tracks, category.genuine_tracks, category.recall,
      category.recall_interval.low, category.recall_interval.high);
}

void print_working_points(const selection::WorkingPoints& working_points,
                          const std::string& output_path) {
  fmt::print("working points written to {}\n", output_path);
  fmt::print("  target recall        {}\n", working_points.target_recall);
  fmt::print("  main threshold       {:.9g}\n", working_points.main_threshold);
  if (working_points.displaced_category) {
    fmt::print("  displaced threshold  {:.9g} (|dxy_bs| > {} cm)\n",
               working_points.displaced_threshold, working_points.displaced_dxy_cut / units::cm);
  } else {
    fmt::print("  displaced category   off\n");
  }
  print_category("all", working_points.all);
  if (working_points.displaced.genuine_tracks > 0) {
    print_category("displaced", working_points.displaced);
  }
  if (working_points.displaced_origin.genuine_tracks > 0) {
    fmt::print("  displaced origin: genuine tracks of particles produced {}-{} cm from the beam line\n",
               working_points.displaced_origin_min_radius / units::cm,
               working_points.displaced_origin_max_radius / units::cm);
    print_category("origin", working_points.displaced_origin);
  }
}

int run_calibrate(const CalibrateOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const auto logger = logging::get("calibrate");
  const ScoringOptions& scoring = options.scoring;

  selection::CalibrationConfig calibration;
  calibration.target_recall = options.target_recall;
  calibration.displaced_dxy_cut = options.displaced_dxy_cut_cm * units::cm;
  calibration.displaced_category = !options.no_displaced_category;
  calibration.displaced_origin_min_radius = options.displaced_origin_radius_cm[0] * units::cm;
  calibration.displaced_origin_max_radius = options.displaced_origin_radius_cm[1] * units::cm;
  calibration.validate();
  const bool use_origin = !options.no_displaced_origin;

  const ScorerConfig scorer_config = scoring.scorer_config(/*keep_flags=*/false);
  const ParallelConfig parallel = scoring.parallel_config();
  nn::Model model = nn::load_model(scoring.model_path);
  const EventScorer scorer(model, scorer_config);

  // 1. Score every track of every sample file and collect its label and dxy_bs.
  std::vector<std::string> paths = {scoring.tracks_path};
  paths.insert(paths.end(), options.extra_samples.begin(), options.extra_samples.end());
  // Open every file first, so that a missing or malformed one fails before any scoring.
  for (const std::string& path : paths) {
    (void)io::EventReader(path);
  }
  PipelineSummary summary;
  CalibrationSample sample;
  for (const std::string& path : paths) {
    const io::EventReader reader(path);
    require_tracks(reader);
    require_all_tracks(reader);
    require_truth(reader);
    if (use_origin && !reader.available_tables().particles) {
      throw FileError(path, "particles",
                      "missing table: the displaced-origin category needs the truth particles; "
                      "give a file with particles or use --no-displaced-origin");
    }
    io::TableMask tables = io::TableMask::tracks_without_hits();
    tables.particles = use_origin;
    tables = tables.intersect(reader.available_tables());
    ProgressLine progress("calibrate", reader.event_count());
    for_each_event(
        reader, tables, parallel, [&](EventSlot& slot) { slot.result = scorer.score(slot.event); },
        [&](EventSlot& slot) {
          if (!slot.result->ok()) {
            throw_rejected_event(path, slot);
          }
          const ScoredEvent& scored = slot.result->value();
          summary.add(scored);
          sample.scores.insert(sample.scores.end(), scored.scores.begin(), scored.scores.end());
          sample.dxy_bs.insert(sample.dxy_bs.end(), scored.dxy_bs.begin(), scored.dxy_bs.end());
          for (const edm::TrackTruth& truth : slot.event.track_truth) {
            sample.genuine.push_back(truth.genuine ? 1 : 0);
          }
          if (use_origin) {
            const std::vector<std::uint8_t> origin = truth::displaced_origin_flags(
                slot.event, calibration.displaced_origin_min_radius,
                calibration.displaced_origin_max_radius);
            sample.displaced_origin.insert(sample.displaced_origin.end(), origin.begin(),
                                           origin.end());
          }
          progress.advance();
        });
    progress.finish();
  }

  // 2. Set the thresholds. A sample too small throws ConfigError with the number needed.
  const selection::WorkingPoints working_points =
      selection::calibrate(sample.scores, sample.genuine, sample.dxy_bs, calibration,
                           sample.displaced_origin);

  // 3. Write the model with its working points and the calibration provenance.
  model.working_points = selection::to_json(working_points);
  model.provenance["calibration"] = {{"sample", scoring.tracks_path},
                                     {"samples", paths},
                                     {"events", summary.counters().events},
                                     {"tracks", summary.counters().tracks},
                                     {"flagged_tracks", summary.counters().flagged_tracks},
                                     {"engine", to_string(scorer_config.engine)},
                                     {"non_finite", to_string(scorer_config.non_finite)},
                                     {"input_model", scoring.model_path}};
  nn::save_model(model, scoring.output_path);

  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  logger->info("calibrated on {} tracks in {} events ({} flagged, score 0) in {:.2f} s; wrote {}",
               summary.counters().tracks, summary.counters().events,
               summary.counters().flagged_tracks, elapsed, scoring.output_path);
  print_working_points(working_points, scoring.output_path);
  return 0;
}

}  // namespace

void register_calibrate(CLI::App& app) {
  auto options = std::make_shared<CalibrateOptions>();
  CLI::App* command = add_command(
      app, "calibrate",
      "Set a model's working points so that they keep a target fraction of genuine tracks",
      [options]() { return run_calibrate(*options); });
  add_scoring_options(*command, options->scoring,
                      "Output model file (.safetensors): the model with its working points");
  command
      ->add_option("--target-recall", options->target_recall,
                   "Fraction of genuine tracks to keep, in each category, in (0, 1)")
      ->capture_default_str();
  command
      ->add_option("--displaced-dxy", options->displaced_dxy_cut_cm,
                   "|dxy_bs| in cm above which a track is displaced and gets its own threshold")
      ->capture_default_str();
  command
      ->add_option("--extra-sample", options->extra_samples,
                   "Further track files pooled with TRACKS into one calibration sample (repeatable)");
  command->add_flag("--no-displaced-category", options->no_displaced_category,
                    "Set only the main threshold; displaced tracks get no threshold of their own");
  command
      ->add_option("--displaced-origin-radius", options->displaced_origin_radius_cm,
                   "Production radii MIN MAX in cm of the displaced-origin category: the main "
                   "threshold also keeps the target recall of genuine tracks of particles "
                   "produced there (truth)")
      ->expected(2)
      ->capture_default_str();
  command->add_flag("--no-displaced-origin", options->no_displaced_origin,
                    "Leave out the displaced-origin category: the main threshold is set on all "
                    "genuine tracks only");
}

}  // namespace trackpurity::cli
