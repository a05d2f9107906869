#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace trackpurity::nn {

// Maps a model's input features to the columns a data source provides, by
// name, once; scoring then uses the column indices.
class FeatureBinding {
 public:
  // Throws ConfigError naming the first model feature that `provided` lacks.
  FeatureBinding(std::span<const std::string> model_features,
                 std::span<const std::string> provided_names);

  // indices()[i] is the provided column of model feature i.
  std::span<const std::size_t> indices() const noexcept { return indices_; }

  // Writes the provided columns in the model's order into `bound`
  // (size: model features). Allocates nothing.
  void bind(std::span<const float* const> provided_columns, std::span<const float*> bound) const;

  // Returns the provided columns in the model's order.
  std::vector<const float*> bind(std::span<const float* const> provided_columns) const;

 private:
  std::vector<std::size_t> indices_;
  std::size_t provided_count_ = 0;
};

}  // namespace trackpurity::nn
