#include "trackpurity/train/dataset.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "trackpurity/core/error.hpp"

namespace trackpurity::train {

void LabelledTracks::append(const LabelledTracks& other) {
  if (feature_names.empty() && rows() == 0) {
    feature_names = other.feature_names;
  }
  if (other.feature_names != feature_names) {
    throw ConfigError("cannot combine track samples with different features");
  }
  features.insert(features.end(), other.features.begin(), other.features.end());
  labels.insert(labels.end(), other.labels.begin(), other.labels.end());
  event_ids.insert(event_ids.end(), other.event_ids.begin(), other.event_ids.end());
  abs_dxy.insert(abs_dxy.end(), other.abs_dxy.begin(), other.abs_dxy.end());
  cut_high_purity.insert(cut_high_purity.end(), other.cut_high_purity.begin(),
                         other.cut_high_purity.end());
  production_radius.insert(production_radius.end(), other.production_radius.begin(),
                           other.production_radius.end());
}

Split split_by_event(const LabelledTracks& tracks, double validation_fraction,
                     double test_fraction, std::uint64_t seed) {
  if (validation_fraction <= 0.0 || test_fraction < 0.0 ||
      validation_fraction + test_fraction >= 1.0) {
    throw ConfigError("invalid split fractions: validation " + std::to_string(validation_fraction) +
                      " and test " + std::to_string(test_fraction) +
                      "; expected validation > 0, test >= 0 and their sum below 1");
  }

  // 1. Shuffle the distinct events with the seed.
  const std::set<std::uint32_t> distinct(tracks.event_ids.begin(), tracks.event_ids.end());
  std::vector<std::uint32_t> events(distinct.begin(), distinct.end());
  std::mt19937_64 engine(seed);
  std::shuffle(events.begin(), events.end(), engine);

  // 2. Assign whole events: validation first, then test, the rest to training.
  const auto event_count = static_cast<double>(events.size());
  const auto validation_events =
      static_cast<std::size_t>(std::max(1.0, std::round(validation_fraction * event_count)));
  const auto test_events = test_fraction > 0.0
                               ? static_cast<std::size_t>(std::max(1.0, std::round(test_fraction * event_count)))
                               : 0U;
  if (validation_events + test_events >= events.size()) {
    throw ConfigError("too few events to split: " + std::to_string(events.size()) +
                      " events for a validation fraction of " + std::to_string(validation_fraction) +
                      " and a test fraction of " + std::to_string(test_fraction) +
                      "; at least one event is needed in each split");
  }
  std::map<std::uint32_t, int> assignment;  // 0 train, 1 validation, 2 test
  for (std::size_t i = 0; i < events.size(); ++i) {
    assignment[events[i]] = i < validation_events ? 1 : (i < validation_events + test_events ? 2 : 0);
  }

  // 3. Rows follow their event.
  Split split;
  for (std::size_t row = 0; row < tracks.rows(); ++row) {
    switch (assignment[tracks.event_ids[row]]) {
      case 1:
        split.validation.push_back(row);
        break;
      case 2:
        split.test.push_back(row);
        break;
      default:
        split.train.push_back(row);
        break;
    }
  }
  return split;
}

FeatureRange feature_range(const LabelledTracks& tracks, const std::vector<std::size_t>& rows) {
  const std::size_t columns = tracks.columns();
  FeatureRange range;
  range.min.assign(columns, std::numeric_limits<float>::infinity());
  range.max.assign(columns, -std::numeric_limits<float>::infinity());
  for (const std::size_t row : rows) {
    const float* values = tracks.features.data() + row * columns;
    for (std::size_t column = 0; column < columns; ++column) {
      range.min[column] = std::min(range.min[column], values[column]);
      range.max[column] = std::max(range.max[column], values[column]);
    }
  }
  return range;
}

std::vector<std::size_t> balance_rows(const LabelledTracks& tracks, std::vector<std::size_t> rows,
                                      ClassBalance balance, std::uint64_t seed) {
  if (balance != ClassBalance::kUndersample) {
    return rows;
  }
  std::vector<std::size_t> genuine;
  std::vector<std::size_t> fake;
  for (const std::size_t row : rows) {
    (tracks.labels[row] != 0 ? genuine : fake).push_back(row);
  }
  std::mt19937_64 engine(seed ^ 0x5DEECE66DULL);
  std::vector<std::size_t>& larger = genuine.size() > fake.size() ? genuine : fake;
  const std::size_t keep = std::min(genuine.size(), fake.size());
  std::shuffle(larger.begin(), larger.end(), engine);
  larger.resize(keep);
  std::vector<std::size_t> balanced;
  balanced.reserve(2 * keep);
  balanced.insert(balanced.end(), genuine.begin(), genuine.end());
  balanced.insert(balanced.end(), fake.begin(), fake.end());
  std::sort(balanced.begin(), balanced.end());
  return balanced;
}

}  // namespace trackpurity::train
