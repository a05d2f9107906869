#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "trackpurity/core/units.hpp"
#include "trackpurity/selection/statistics.hpp"

namespace trackpurity::selection {

// Outcome of the calibration in one category of genuine tracks.
struct CategoryCalibration {
  std::uint64_t genuine_tracks = 0;  // genuine tracks of the calibration sample in the category
  std::uint64_t kept_tracks = 0;     // of those, kept by the full keep rule
  double recall = 0.0;               // kept_tracks / genuine_tracks
  Interval recall_interval{0.0, 0.0};  // Clopper-Pearson interval of recall at confidence_level

  friend bool operator==(const CategoryCalibration&, const CategoryCalibration&) = default;
};

// Thresholds of the purity score and their calibration provenance. A track is
// kept when score >= main_threshold, or when the displaced category is on,
// |dxy_bs| > displaced_dxy_cut and score >= displaced_threshold. The model file
// stores this object in its metadata under "working_points".
struct WorkingPoints {
  // Score threshold for every track. The default is a placeholder until calibration.
  double main_threshold = 0.5;
  // Score threshold for displaced tracks. The default is a placeholder until calibration.
  double displaced_threshold = 0.5;
  // |dxy_bs| above which a track is displaced, 0.5 cm as in the CMS Phase-2 HLT.
  double displaced_dxy_cut = 0.5 * units::cm;
  // Whether displaced tracks get their own threshold.
  bool displaced_category = true;
  // Fraction of genuine tracks the thresholds were set to keep.
  double target_recall = 0.995;
  // Confidence level of the recall intervals.
  double confidence_level = kOneSigmaConfidence;
  // Calibration outcome for all genuine tracks, for genuine displaced tracks
  // and for genuine tracks of particles produced between
  // displaced_origin_min_radius and displaced_origin_max_radius from the beam
  // line (truth). Zero counts mean the category was not calibrated here.
  CategoryCalibration all;
  CategoryCalibration displaced;
  CategoryCalibration displaced_origin;
  double displaced_origin_min_radius = 0.5 * units::cm;
  double displaced_origin_max_radius = 10.0 * units::cm;

  // Throws ConfigError when a threshold or the cut is not finite, the cut is
  // negative, or target_recall or confidence_level is outside (0, 1).
  void validate() const;

  friend bool operator==(const WorkingPoints&, const WorkingPoints&) = default;
};

nlohmann::json to_json(const WorkingPoints& working_points);

// The keep rule in words, for reports: "score >= 0.481, or |dxy_bs| > 0.5 cm
// and score >= 0.2643", or "score >= 0.481" without the displaced category.
std::string keep_rule_text(const WorkingPoints& working_points);

// Reads working points written by to_json. `source` names the file for error
// messages. Throws FileError(source, "working_points.<field>", problem) for a
// missing or mistyped field or for values that fail validate().
WorkingPoints working_points_from_json(const nlohmann::json& json, const std::string& source);

}  // namespace trackpurity::selection
