#include "trackpurity/nn/feature_binding.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::nn {

FeatureBinding::FeatureBinding(std::span<const std::string> model_features,
                               std::span<const std::string> provided_names)
    : provided_count_(provided_names.size()) {
  for (const std::string& feature : model_features) {
    auto found = std::find(provided_names.begin(), provided_names.end(), feature);
    if (found == provided_names.end()) {
      throw ConfigError(fmt::format(
          "the model needs feature '{}', which the data does not provide (it provides: {})",
          feature, fmt::join(provided_names, ", ")));
    }
    indices_.push_back(static_cast<std::size_t>(found - provided_names.begin()));
  }
}

void FeatureBinding::bind(std::span<const float* const> provided_columns,
                          std::span<const float*> bound) const {
  if (provided_columns.size() != provided_count_ || bound.size() != indices_.size()) {
    throw std::invalid_argument(fmt::format(
        "feature binding: {} provided and {} bound columns given, expected {} and {}",
        provided_columns.size(), bound.size(), provided_count_, indices_.size()));
  }
  for (std::size_t i = 0; i < indices_.size(); ++i) {
    bound[i] = provided_columns[indices_[i]];
  }
}

std::vector<const float*> FeatureBinding::bind(std::span<const float* const> provided_columns) const {
  std::vector<const float*> bound(indices_.size());
  bind(provided_columns, bound);
  return bound;
}

}  // namespace trackpurity::nn
