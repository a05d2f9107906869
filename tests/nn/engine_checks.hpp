#pragma once

// Agreement checks shared by the engine tests of the nn and nn_torch targets.

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "test_helpers.hpp"
#include "trackpurity/nn/engine.hpp"
#include "trackpurity/nn/reference_engine.hpp"

namespace trackpurity::nn::testing {

// The engines' contract: |engine - reference| <= 1e-5 on every row.
inline constexpr double kAgreementTolerance = 1e-5;

struct Agreement {
  double max_difference = 0.0;
  std::size_t worst_row = 0;
};

inline Agreement compare_with_reference(const Engine& engine, const ReferenceEngine& reference,
                                        const Columns& columns) {
  const std::size_t rows = columns.rows();
  std::vector<float> scores(rows, -1.0F);
  std::vector<double> expected(rows);
  engine.score(columns.pointers, rows, scores);
  reference.score_double(columns.pointers, rows, expected);
  Agreement agreement;
  for (std::size_t row = 0; row < rows; ++row) {
    const double difference = std::fabs(static_cast<double>(scores[row]) - expected[row]);
    // A NaN score must fail, so compare with !(difference <= max).
    if (!(difference <= agreement.max_difference)) {
      agreement.max_difference = std::isnan(difference) ? std::numeric_limits<double>::infinity()
                                                        : difference;
      agreement.worst_row = row;
    }
  }
  return agreement;
}

// Rows at the edges of the input domain: each feature at its min, at its
// max, far outside the range on both sides, zero, and subnormal values,
// while the other features take random in-range values.
inline Columns edge_columns(const Model& model, std::uint64_t seed) {
  const std::size_t width = model.feature_min.size();
  Columns columns = random_columns(model, 8 * width + 8, seed);
  const float denormal = std::numeric_limits<float>::denorm_min() * 1000.0F;
  for (std::size_t i = 0; i < width; ++i) {
    const float low = model.feature_min[i];
    const float high = model.feature_max[i];
    const float range = high - low;
    const float values[8] = {low, high, low - 1000.0F * range, high + 1000.0F * range,
                             0.0F, denormal, -denormal, -0.0F};
    for (std::size_t k = 0; k < 8; ++k) columns.values[i][8 * i + k] = values[k];
  }
  // Last rows: every feature at once at min, max, zero, subnormal, far outside.
  const std::size_t base = 8 * width;
  for (std::size_t i = 0; i < width; ++i) {
    const float low = model.feature_min[i];
    const float high = model.feature_max[i];
    const float range = high - low;
    const float values[8] = {low, high, 0.0F, denormal, low - 1000.0F * range, high + 1000.0F * range,
                             low - 0.5F * range, high + 0.5F * range};
    for (std::size_t k = 0; k < 8; ++k) columns.values[i][base + k] = values[k];
  }
  columns.update_pointers();
  return columns;
}

}  // namespace trackpurity::nn::testing
