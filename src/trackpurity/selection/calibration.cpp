#include "trackpurity/selection/calibration.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/selection/selector.hpp"

namespace trackpurity::selection {

namespace {

// Allowance for the rounding of 1 - target_recall, so that for example
// (1 - 0.995) * 2000 counts as exactly 10.
constexpr double kRoundingAllowance = 1e-9;

CategoryCalibration measure_recall(std::uint64_t kept, std::uint64_t genuine,
                                   double confidence_level) {
  CategoryCalibration category;
  category.genuine_tracks = genuine;
  category.kept_tracks = kept;
  category.recall = static_cast<double>(kept) / static_cast<double>(genuine);
  category.recall_interval = clopper_pearson(kept, genuine, confidence_level);
  return category;
}

// Genuine-track count of one calibration category, for the sample-size check.
struct CategorySize {
  const char* name;    // precedes "tracks" in the message, for example "displaced "
  std::size_t genuine;
  const char* switch_off;  // option that leaves the category out, empty for none
};

// Throws one ConfigError that lists every category with fewer genuine tracks
// than minimum_genuine_tracks(target_recall), and the ways out.
void require_enough(const std::vector<CategorySize>& categories, double target_recall) {
  const std::uint64_t needed = minimum_genuine_tracks(target_recall);
  std::vector<std::string> short_counts;
  std::vector<std::string> switches;
  for (const CategorySize& category : categories) {
    if (category.genuine >= needed) {
      continue;
    }
    short_counts.push_back(fmt::format("{} genuine {}tracks", category.genuine, category.name));
    if (*category.switch_off != '\0') {
      switches.emplace_back(category.switch_off);
    }
  }
  if (short_counts.empty()) {
    return;
  }
  throw ConfigError(fmt::format(
      "calibration at target recall {} needs at least {} genuine tracks in each category (ceil(10 "
      "/ (1 - target))), but the sample has {}. Use a larger calibration sample (more events, or "
      "--extra-sample), a lower --target-recall{}",
      target_recall, needed, fmt::join(short_counts, " and "),
      switches.empty() ? std::string()
                       : fmt::format(", or leave the category out ({})", fmt::join(switches, ", "))));
}

// Highest threshold that keeps the `keep` highest of `scores` (1 <= keep <=
// size) under the rule score >= threshold. Reorders `scores`.
double threshold_keeping(std::vector<float>& scores, std::size_t keep) {
  const auto kth = scores.begin() + static_cast<std::ptrdiff_t>(scores.size() - keep);
  std::nth_element(scores.begin(), kth, scores.end());
  return static_cast<double>(*kth);
}

// Highest main threshold at which the keep rule keeps target_recall of the
// displaced-origin tracks. Those that the displaced threshold keeps are kept
// whatever the main threshold, and the rest need score >= main threshold.
// Returns +infinity when the former already suffice.
double origin_main_threshold(const WorkingPoints& working_points, std::span<const float> scores,
                             std::span<const float> dxy_bs,
                             std::span<const std::uint8_t> displaced_origin) {
  std::uint64_t kept_anyway = 0;
  std::vector<float> others;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (displaced_origin[i] == 0) {
      continue;
    }
    if (kept_as_displaced(working_points, scores[i], dxy_bs[i])) {
      ++kept_anyway;
    } else {
      others.push_back(scores[i]);
    }
  }
  const std::uint64_t origin_tracks = kept_anyway + others.size();
  const auto needed = static_cast<std::uint64_t>(std::ceil(
      working_points.target_recall * static_cast<double>(origin_tracks) - kRoundingAllowance));
  if (needed <= kept_anyway) {
    return std::numeric_limits<double>::infinity();
  }
  return threshold_keeping(others, needed - kept_anyway);
}

}  // namespace

void CalibrationConfig::validate() const {
  WorkingPoints check;
  check.target_recall = target_recall;
  check.displaced_dxy_cut = displaced_dxy_cut;
  check.confidence_level = confidence_level;
  check.validate();
  if (!std::isfinite(displaced_origin_min_radius) || !std::isfinite(displaced_origin_max_radius) ||
      displaced_origin_min_radius < 0.0 || displaced_origin_max_radius <= displaced_origin_min_radius) {
    throw ConfigError(fmt::format(
        "displaced-origin production radii must be finite with 0 <= min < max, got [{}, {}] cm",
        displaced_origin_min_radius / units::cm, displaced_origin_max_radius / units::cm));
  }
}

std::uint64_t minimum_genuine_tracks(double target_recall) {
  return static_cast<std::uint64_t>(std::ceil(10.0 / (1.0 - target_recall) - kRoundingAllowance));
}

double threshold_for_recall(std::vector<float>& genuine_scores, double target_recall) {
  if (genuine_scores.empty()) {
    throw std::invalid_argument("threshold_for_recall needs at least one genuine score");
  }
  const auto count = static_cast<double>(genuine_scores.size());
  const auto k = static_cast<std::size_t>(
      std::floor((1.0 - target_recall) * count + kRoundingAllowance));
  return threshold_keeping(genuine_scores, genuine_scores.size() - k);
}

WorkingPoints calibrate(std::span<const float> scores, std::span<const std::uint8_t> genuine,
                        std::span<const float> dxy_bs, const CalibrationConfig& config,
                        std::span<const std::uint8_t> displaced_origin) {
  config.validate();
  if (genuine.size() != scores.size() || dxy_bs.size() != scores.size()) {
    throw std::invalid_argument(
        fmt::format("calibration got {} scores, {} genuine labels and {} dxy_bs values: give one "
                    "of each per track",
                    scores.size(), genuine.size(), dxy_bs.size()));
  }
  const bool use_origin = !displaced_origin.empty();
  if (use_origin && displaced_origin.size() != scores.size()) {
    throw std::invalid_argument(fmt::format(
        "calibration got {} scores but {} displaced-origin flags: give one per track",
        scores.size(), displaced_origin.size()));
  }

  // 1. Collect the genuine scores of each category.
  std::vector<float> all_scores;
  std::vector<float> displaced_scores;
  std::uint64_t origin_tracks = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (std::isnan(scores[i])) {
      throw std::invalid_argument(fmt::format(
          "score of track {} is NaN: give flagged tracks score 0 before calibration", i));
    }
    const bool origin = use_origin && displaced_origin[i] != 0;
    if (origin && genuine[i] == 0) {
      throw std::invalid_argument(fmt::format(
          "track {} is fake but carries a displaced-origin flag: the flag is for genuine tracks",
          i));
    }
    origin_tracks += origin ? 1 : 0;
    if (genuine[i] == 0) {
      continue;
    }
    all_scores.push_back(scores[i]);
    if (std::abs(dxy_bs[i]) > config.displaced_dxy_cut) {
      displaced_scores.push_back(scores[i]);
    }
  }

  // 2. Set the thresholds.
  std::vector<CategorySize> sizes = {{"", all_scores.size(), ""}};
  if (config.displaced_category) {
    sizes.push_back({"displaced ", displaced_scores.size(), "--no-displaced-category"});
  }
  if (use_origin) {
    sizes.push_back({"displaced-origin ", origin_tracks, "--no-displaced-origin"});
  }
  require_enough(sizes, config.target_recall);
  WorkingPoints working_points;
  working_points.target_recall = config.target_recall;
  working_points.confidence_level = config.confidence_level;
  working_points.displaced_dxy_cut = config.displaced_dxy_cut;
  working_points.displaced_category = config.displaced_category;
  working_points.main_threshold = threshold_for_recall(all_scores, config.target_recall);
  working_points.displaced_threshold = working_points.main_threshold;
  if (config.displaced_category) {
    working_points.displaced_threshold =
        threshold_for_recall(displaced_scores, config.target_recall);
  }
  working_points.displaced_origin_min_radius = config.displaced_origin_min_radius;
  working_points.displaced_origin_max_radius = config.displaced_origin_max_radius;
  if (use_origin) {
    working_points.main_threshold = std::min(
        working_points.main_threshold,
        origin_main_threshold(working_points, scores, dxy_bs, displaced_origin));
  }
  if (!config.displaced_category) {
    // Unused by the keep rule, but stored: keep it equal to the main threshold.
    working_points.displaced_threshold = working_points.main_threshold;
  }

  // 3. Measure the recall of the full keep rule in each category.
  std::uint64_t kept_all = 0;
  std::uint64_t kept_displaced = 0;
  std::uint64_t kept_origin = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (genuine[i] == 0 || !keep_track(working_points, scores[i], dxy_bs[i])) {
      continue;
    }
    ++kept_all;
    if (std::abs(dxy_bs[i]) > config.displaced_dxy_cut) {
      ++kept_displaced;
    }
    if (use_origin && displaced_origin[i] != 0) {
      ++kept_origin;
    }
  }
  working_points.all = measure_recall(kept_all, all_scores.size(), config.confidence_level);
  if (!displaced_scores.empty()) {
    working_points.displaced =
        measure_recall(kept_displaced, displaced_scores.size(), config.confidence_level);
  }
  if (use_origin) {
    working_points.displaced_origin =
        measure_recall(kept_origin, origin_tracks, config.confidence_level);
  }

  const auto logger = logging::get("selection");
  logger->info("calibrated at target recall {}: main threshold {:.6g} keeps {}/{} genuine tracks",
               config.target_recall, working_points.main_threshold, kept_all, all_scores.size());
  if (config.displaced_category) {
    logger->info("displaced threshold {:.6g} keeps {}/{} genuine tracks with |dxy_bs| > {} cm",
                 working_points.displaced_threshold, kept_displaced, displaced_scores.size(),
                 config.displaced_dxy_cut / units::cm);
  }
  if (use_origin) {
    logger->info("the keep rule keeps {}/{} genuine tracks of particles produced {}-{} cm from "
                 "the beam line",
                 kept_origin, origin_tracks, config.displaced_origin_min_radius / units::cm,
                 config.displaced_origin_max_radius / units::cm);
  }
  return working_points;
}

}  // namespace trackpurity::selection
