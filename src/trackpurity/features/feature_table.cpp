#include "trackpurity/features/feature_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::features {

FeatureTable::FeatureTable(FeatureSet feature_set) : feature_set_(std::move(feature_set)) {}

void FeatureTable::reserve(std::size_t rows) {
  if (rows * columns() > values_.size()) {
    values_.resize(rows * columns());
  }
  if (rows > flags_.size()) {
    flags_.resize(rows);
  }
}

void FeatureTable::resize(std::size_t rows) {
  reserve(rows);
  rows_ = rows;
  std::fill_n(flags_.begin(), rows, std::uint8_t{0});
}

std::size_t FeatureTable::capacity_rows() const noexcept {
  if (columns() == 0) {
    return 0;
  }
  return std::min(values_.size() / columns(), flags_.size());
}

std::span<float> FeatureTable::column(std::size_t column) {
  if (column >= columns()) {
    throw std::out_of_range(fmt::format("feature table column {} out of range: the table has {} "
                                        "columns",
                                        column, columns()));
  }
  return {values_.data() + column * rows_, rows_};
}

std::span<const float> FeatureTable::column(std::size_t column) const {
  return const_cast<FeatureTable*>(this)->column(column);
}

std::span<float> FeatureTable::column(std::string_view feature_name) {
  return column(column_index(feature_name));
}

std::span<const float> FeatureTable::column(std::string_view feature_name) const {
  return column(column_index(feature_name));
}

std::size_t FeatureTable::column_index(std::string_view feature_name) const {
  const std::optional<std::size_t> index = feature_set_.index_of(feature_name);
  if (!index) {
    throw ConfigError(fmt::format("feature '{}' is not in feature set '{}' ({})", feature_name,
                                  feature_set_.name(), fmt::join(feature_set_.names(), ", ")));
  }
  return *index;
}

}  // namespace trackpurity::features
