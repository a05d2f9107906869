#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trackpurity/features/feature_set.hpp"

namespace trackpurity::features {

// Features of all tracks of one event, column-major: one contiguous float32
// column per feature, in the order of the feature set, and one flag per track
// (1 when one of its features was not finite). The storage is reused: resizing
// to at most capacity_rows() rows allocates nothing.
class FeatureTable {
 public:
  explicit FeatureTable(FeatureSet feature_set);

  const FeatureSet& feature_set() const noexcept { return feature_set_; }
  std::size_t rows() const noexcept { return rows_; }
  std::size_t columns() const noexcept { return feature_set_.size(); }
  std::vector<std::string> names() const { return feature_set_.names(); }

  // Sets the row count, leaves every value unspecified and clears the flags.
  // Allocates only when `rows` exceeds capacity_rows().
  void resize(std::size_t rows);
  // Grows the storage to hold `rows` rows without changing rows().
  void reserve(std::size_t rows);
  std::size_t capacity_rows() const noexcept;

  // Column `column` (0-based, in the set's order). Throws std::out_of_range.
  std::span<float> column(std::size_t column);
  std::span<const float> column(std::size_t column) const;
  // Column of feature `feature_name`. Throws ConfigError when the set lacks it.
  std::span<float> column(std::string_view feature_name);
  std::span<const float> column(std::string_view feature_name) const;

  // The whole table: column j, row i is at values()[j * rows() + i].
  std::span<float> values() noexcept { return {values_.data(), rows_ * columns()}; }
  std::span<const float> values() const noexcept { return {values_.data(), rows_ * columns()}; }

  // Per-track flags: 1 when the track has a non-finite feature (FlagTrack policy).
  std::span<std::uint8_t> non_finite_flags() noexcept { return {flags_.data(), rows_}; }
  std::span<const std::uint8_t> non_finite_flags() const noexcept {
    return {flags_.data(), rows_};
  }

 private:
  std::size_t column_index(std::string_view feature_name) const;

  FeatureSet feature_set_;
  std::size_t rows_ = 0;
  std::vector<float> values_;
  std::vector<std::uint8_t> flags_;
};

}  // namespace trackpurity::features
