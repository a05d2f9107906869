#include "trackpurity/selection/selector.hpp"

#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::selection {

namespace {

void check_size(std::size_t expected, std::size_t actual, const char* array_name) {
  if (actual != expected) {
    throw std::invalid_argument(
        fmt::format("selection got {} scores but {} {}", expected, actual, array_name));
  }
}

}  // namespace

void select(const WorkingPoints& working_points, std::span<const float> scores,
            std::span<const float> dxy_bs, std::span<const std::uint8_t> non_finite,
            std::span<std::uint8_t> keep) {
  check_size(scores.size(), dxy_bs.size(), "dxy_bs values");
  check_size(scores.size(), keep.size(), "keep flags");
  if (!non_finite.empty()) {
    check_size(scores.size(), non_finite.size(), "non-finite flags");
  }

  for (std::size_t i = 0; i < scores.size(); ++i) {
    const bool flagged = !non_finite.empty() && non_finite[i] != 0;
    const float score = flagged ? 0.0F : scores[i];
    keep[i] = keep_track(working_points, score, dxy_bs[i]) ? 1 : 0;
  }
}

void select(const WorkingPoints& working_points, std::span<const float> scores,
            const features::FeatureTable& table, std::span<std::uint8_t> keep) {
  check_size(scores.size(), table.rows(), "feature-table rows");
  const std::optional<std::size_t> dxy_column = table.feature_set().index_of("dxy_bs");
  if (dxy_column) {
    select(working_points, scores, table.column(*dxy_column), table.non_finite_flags(), keep);
    return;
  }
  if (working_points.displaced_category) {
    throw ConfigError(fmt::format(
        "the displaced category needs feature dxy_bs, which feature set '{}' lacks: add dxy_bs "
        "or turn the displaced category off",
        table.feature_set().name()));
  }
  // Without the displaced category dxy_bs is never read.
  const std::span<const std::uint8_t> flags = table.non_finite_flags();
  check_size(scores.size(), keep.size(), "keep flags");
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const float score = flags[i] != 0 ? 0.0F : scores[i];
    keep[i] = score >= working_points.main_threshold ? 1 : 0;
  }
}

void zero_flagged_scores(std::span<float> scores, std::span<const std::uint8_t> non_finite) {
  check_size(scores.size(), non_finite.size(), "non-finite flags");
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (non_finite[i] != 0) {
      scores[i] = 0.0F;
    }
  }
}

}  // namespace trackpurity::selection
