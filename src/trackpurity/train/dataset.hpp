#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trackpurity::train {

// Labelled tracks for training: one row per track, features row-major in
// the order of `feature_names`.
struct LabelledTracks {
  std::vector<std::string> feature_names;
  std::vector<float> features;          // rows x feature_names.size()
  std::vector<std::uint8_t> labels;     // 1 = genuine, 0 = fake
  std::vector<std::uint32_t> event_ids; // global event index, for the split by event
  std::vector<float> abs_dxy;           // |dxy_bs| [cm], for the displaced category
  std::vector<std::uint8_t> cut_high_purity;  // 1 when the cut-based high-purity selection keeps the track
  // Truth production radius [cm] of a genuine track's particle, -1 for a fake
  // track. Empty when the input files have no particle table.
  std::vector<float> production_radius;

  std::size_t rows() const noexcept { return labels.size(); }
  std::size_t columns() const noexcept { return feature_names.size(); }
  // Appends the rows of `other`; throws ConfigError when the feature names differ.
  void append(const LabelledTracks& other);
};

// Row indices of the three splits.
struct Split {
  std::vector<std::size_t> train;
  std::vector<std::size_t> validation;
  std::vector<std::size_t> test;
};

// Splits by event, never by track: every track of an event lands in the same
// split. Events are shuffled with `seed` and assigned in proportion to the
// fractions; the test fraction is what remains. Throws ConfigError when a
// fraction is out of range or a split would get no event.
Split split_by_event(const LabelledTracks& tracks, double validation_fraction,
                     double test_fraction, std::uint64_t seed);

// Per-feature minimum and maximum over the given rows (the normalisation range).
struct FeatureRange {
  std::vector<float> min;
  std::vector<float> max;
};
FeatureRange feature_range(const LabelledTracks& tracks, const std::vector<std::size_t>& rows);

// Class balance of the training split.
enum class ClassBalance {
  kNone,         // use the sample as it is
  kWeights,      // weight each class by total / (2 * class count) in the loss
  kUndersample,  // drop random rows of the larger class to equal counts
};

// Applies undersampling to `rows` (other modes leave them unchanged).
std::vector<std::size_t> balance_rows(const LabelledTracks& tracks, std::vector<std::size_t> rows,
                                      ClassBalance balance, std::uint64_t seed);

}  // namespace trackpurity::train
