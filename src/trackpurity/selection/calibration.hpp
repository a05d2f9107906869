#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/selection/statistics.hpp"
#include "trackpurity/selection/working_points.hpp"

namespace trackpurity::selection {

struct CalibrationConfig {
  // Fraction of genuine tracks to keep, in each category.
  double target_recall = 0.995;
  // |dxy_bs| above which a track is displaced, 0.5 cm as in the CMS Phase-2 HLT.
  double displaced_dxy_cut = 0.5 * units::cm;
  // Whether displaced tracks get their own threshold.
  bool displaced_category = true;
  // Confidence level of the Clopper-Pearson recall intervals.
  double confidence_level = kOneSigmaConfidence;
  // Production radii (truth) of the displaced-origin category: genuine tracks
  // of K0S, Lambda and other decays and of conversions in this range. Those
  // pointing back to the beam line (|dxy_bs| <= cut) face the main threshold.
  double displaced_origin_min_radius = 0.5 * units::cm;
  double displaced_origin_max_radius = 10.0 * units::cm;

  // Throws ConfigError when target_recall or confidence_level is outside
  // (0, 1), the cut is negative or not finite, or the displaced-origin radii
  // are not an increasing pair of finite lengths >= 0.
  void validate() const;
};

// Genuine tracks a category needs, ceil(10 / (1 - target_recall)), so that at
// least 10 tracks fall below the threshold: 2000 for 0.995.
std::uint64_t minimum_genuine_tracks(double target_recall);

// Threshold that keeps the fraction `target_recall` of `genuine_scores` under
// the rule score >= threshold. With the N scores sorted ascending and
// k = floor((1 - target_recall) N), it is the score of index k (0-based), the
// (k+1)-th lowest. So at most k scores fall below it and at least
// N - k >= target_recall N are kept (more when scores tie at the threshold),
// and it is the highest threshold that keeps that many. Reorders
// `genuine_scores`. Throws std::invalid_argument when it is empty.
double threshold_for_recall(std::vector<float>& genuine_scores, double target_recall);

// Calibrates the working points on a labelled sample: the main threshold keeps
// target_recall of all genuine tracks, and the displaced threshold keeps the
// same fraction of genuine tracks with |dxy_bs| > cut. The recall recorded for
// each category is that of the full keep rule. Inputs are one entry per track:
// its score (flagged tracks should carry score 0), genuine (1) or fake (0), and
// its signed dxy_bs.
//
// With `displaced_origin` flags (one per track, 1 for a genuine track of the
// displaced-origin category, see truth::displaced_origin_flags), the main
// threshold is lowered where needed so that the full keep rule also keeps
// target_recall of that category. An empty span leaves the category out.
//
// Throws ConfigError, stating the number needed and the number available, when
// a category has fewer than minimum_genuine_tracks() genuine tracks, and
// std::invalid_argument for arrays of different sizes, a NaN score or a
// displaced-origin flag on a fake track.
WorkingPoints calibrate(std::span<const float> scores, std::span<const std::uint8_t> genuine,
                        std::span<const float> dxy_bs, const CalibrationConfig& config = {},
                        std::span<const std::uint8_t> displaced_origin = {});

}  // namespace trackpurity::selection
