#pragma once

#include <cmath>
#include <cstdint>
#include <span>

#include "trackpurity/features/feature_table.hpp"
#include "trackpurity/selection/working_points.hpp"

namespace trackpurity::selection {

// Displaced part of the keep rule: the displaced category is on, |dxy_bs| >
// cut and score >= displaced threshold. A track it keeps is kept whatever the
// main threshold.
inline bool kept_as_displaced(const WorkingPoints& working_points, float score,
                              float dxy_bs) noexcept {
  return working_points.displaced_category &&
         std::abs(dxy_bs) > working_points.displaced_dxy_cut &&
         score >= working_points.displaced_threshold;
}

// Keep decision of one track: score >= main threshold, or kept_as_displaced.
// A NaN score or dxy_bs fails its comparisons.
inline bool keep_track(const WorkingPoints& working_points, float score, float dxy_bs) noexcept {
  return score >= working_points.main_threshold ||
         kept_as_displaced(working_points, score, dxy_bs);
}

// Writes one keep flag (1 = keep) per track into `keep`. A track whose
// `non_finite` flag is set is judged with score 0, so it is kept only where a
// threshold is <= 0. `non_finite` may be empty (no flags). Throws
// std::invalid_argument when the sizes of the arrays differ.
void select(const WorkingPoints& working_points, std::span<const float> scores,
            std::span<const float> dxy_bs, std::span<const std::uint8_t> non_finite,
            std::span<std::uint8_t> keep);

// The same with dxy_bs and the flags taken from `table`. Throws ConfigError
// when the displaced category is on and the table has no dxy_bs column.
void select(const WorkingPoints& working_points, std::span<const float> scores,
            const features::FeatureTable& table, std::span<std::uint8_t> keep);

// Sets the score of every flagged track to 0, so stored scores match the keep rule.
void zero_flagged_scores(std::span<float> scores, std::span<const std::uint8_t> non_finite);

}  // namespace trackpurity::selection
