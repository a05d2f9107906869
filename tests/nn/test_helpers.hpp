#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "trackpurity/nn/model.hpp"

namespace trackpurity::nn::testing {

// The default feature names, so models in tests look like real ones.
inline std::vector<std::string> hlt15_names() {
  return {"dxy_bs",          "dz_bs",           "dxy_error",
          "dz_error",        "normalized_chi2", "eta",
          "phi",             "eta_error",       "phi_error",
          "ndof",            "lost_inner_hits", "lost_outer_hits",
          "layers_without_measurement",         "valid_pixel_hits",
          "valid_strip_hits"};
}

inline std::vector<std::string> numbered_names(std::size_t count) {
  std::vector<std::string> names;
  for (std::size_t i = 0; i < count; ++i) names.push_back(fmt::format("x{}", i));
  return names;
}

// Column-major inputs for tests: one vector per feature, plus the pointer array.
struct Columns {
  std::vector<std::vector<float>> values;
  std::vector<const float*> pointers;

  std::size_t rows() const { return values.empty() ? 0 : values[0].size(); }

  void update_pointers() {
    pointers.clear();
    for (const auto& column : values) pointers.push_back(column.data());
  }
};

// Uniform random rows inside [min - margin * range, max + margin * range] of each feature.
inline Columns random_columns(const Model& model, std::size_t rows, std::uint64_t seed,
                              double margin = 0.0) {
  std::mt19937_64 engine(seed);
  Columns columns;
  for (std::size_t i = 0; i < model.feature_min.size(); ++i) {
    const double low = model.feature_min[i];
    const double range = static_cast<double>(model.feature_max[i]) - low;
    std::uniform_real_distribution<double> uniform(low - margin * range,
                                                   low + (1.0 + margin) * range);
    std::vector<float> column(rows);
    for (float& value : column) value = static_cast<float>(uniform(engine));
    columns.values.push_back(std::move(column));
  }
  columns.update_pointers();
  return columns;
}

}  // namespace trackpurity::nn::testing

#include <fstream>

#include "support/temporary_folder.hpp"

namespace trackpurity::nn::testing {

using test_support::read_bytes;
using test_support::TemporaryFolder;

inline void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream stream(path, std::ios::binary | std::ios::trunc);
  stream.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

}  // namespace trackpurity::nn::testing
