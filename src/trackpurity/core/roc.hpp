#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace trackpurity::roc {

// Area under the ROC curve of scores for binary labels (1 = signal), the
// probability that a random signal scores above a random background, with ties
// counted one half (Mann-Whitney U statistic). Returns 0.5 when either class is empty.
double auc(std::span<const float> scores, std::span<const std::uint8_t> labels);

// Standard error of the AUC from Hanley and McNeil, Radiology 143 (1982) 29.
double auc_error(double auc, std::size_t signal_count, std::size_t background_count) noexcept;

// The working point that keeps at least `target` of the signal with a keep
// rule score >= threshold.
struct WorkingPoint {
  float threshold = 0.0F;
  double signal_efficiency = 0.0;   // fraction of signal kept
  double background_kept = 0.0;     // fraction of background kept
  std::size_t signal_kept = 0;
  std::size_t background_kept_count = 0;
  // Background among kept entries: kept background / (kept signal + kept background).
  double background_fraction_of_kept() const noexcept {
    const double kept = static_cast<double>(signal_kept + background_kept_count);
    return kept > 0 ? static_cast<double>(background_kept_count) / kept : 0.0;
  }
};

// Highest threshold whose keep rule keeps at least `target` of the signal.
// With N signal entries sorted by score, it is the score of entry
// floor((1 - target) * N) counted from the lowest, so at most that many
// signal entries fall below it.
WorkingPoint working_point_at_efficiency(std::span<const float> scores,
                                         std::span<const std::uint8_t> labels, double target);

// One point of a ROC curve.
struct RocPoint {
  float threshold = 0.0F;
  double signal_efficiency = 0.0;
  double background_rejection = 0.0;  // 1 - background efficiency
};

// ROC curve sampled at up to `points` thresholds spread evenly in signal efficiency.
std::vector<RocPoint> curve(std::span<const float> scores, std::span<const std::uint8_t> labels,
                            std::size_t points = 200);

}  // namespace trackpurity::roc
