#include "trackpurity/core/roc.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

namespace trackpurity::roc {

namespace {

void check_sizes(std::span<const float> scores, std::span<const std::uint8_t> labels) {
  if (scores.size() != labels.size()) {
    throw std::invalid_argument("ROC input sizes differ: " + std::to_string(scores.size()) +
                                " scores and " + std::to_string(labels.size()) + " labels");
  }
}

// Indices of the entries ordered by ascending score.
std::vector<std::size_t> ascending_order(std::span<const float> scores) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  return order;
}

}  // namespace

double auc(std::span<const float> scores, std::span<const std::uint8_t> labels) {
  check_sizes(scores, labels);
  const std::vector<std::size_t> order = ascending_order(scores);

  // Sum of the ranks of the signal entries, ties sharing their mean rank.
  double signal_rank_sum = 0.0;
  std::size_t signal_count = 0;
  std::size_t begin = 0;
  while (begin < order.size()) {
    std::size_t end = begin + 1;
    while (end < order.size() && scores[order[end]] == scores[order[begin]]) {
      ++end;
    }
    const double mean_rank = 0.5 * static_cast<double>(begin + 1 + end);
    for (std::size_t i = begin; i < end; ++i) {
      if (labels[order[i]] != 0) {
        signal_rank_sum += mean_rank;
        ++signal_count;
      }
    }
    begin = end;
  }

  const std::size_t background_count = order.size() - signal_count;
  if (signal_count == 0 || background_count == 0) {
    return 0.5;
  }
  const auto n_signal = static_cast<double>(signal_count);
  const double u = signal_rank_sum - n_signal * (n_signal + 1.0) / 2.0;
  return u / (n_signal * static_cast<double>(background_count));
}

double auc_error(double area, std::size_t signal_count, std::size_t background_count) noexcept {
  if (signal_count == 0 || background_count == 0) {
    return 0.0;
  }
  const auto n_signal = static_cast<double>(signal_count);
  const auto n_background = static_cast<double>(background_count);
  const double q1 = area / (2.0 - area);
  const double q2 = 2.0 * area * area / (1.0 + area);
  const double variance = (area * (1.0 - area) + (n_signal - 1.0) * (q1 - area * area) +
                           (n_background - 1.0) * (q2 - area * area)) /
                          (n_signal * n_background);
  return std::sqrt(std::max(variance, 0.0));
}

WorkingPoint working_point_at_efficiency(std::span<const float> scores,
                                         std::span<const std::uint8_t> labels, double target) {
  check_sizes(scores, labels);
  if (!(target > 0.0 && target <= 1.0)) {
    throw std::invalid_argument("target efficiency must be in (0, 1], found " +
                                std::to_string(target));
  }
  std::vector<float> signal_scores;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    if (labels[i] != 0) {
      signal_scores.push_back(scores[i]);
    }
  }
  WorkingPoint point;
  if (signal_scores.empty()) {
    return point;
  }
  std::sort(signal_scores.begin(), signal_scores.end());
  const auto allowed_losses =
      static_cast<std::size_t>(std::floor((1.0 - target) * static_cast<double>(signal_scores.size()) + 1e-9));
  point.threshold = signal_scores[std::min(allowed_losses, signal_scores.size() - 1)];

  std::size_t signal_total = 0;
  std::size_t background_total = 0;
  for (std::size_t i = 0; i < scores.size(); ++i) {
    const bool kept = scores[i] >= point.threshold;
    if (labels[i] != 0) {
      ++signal_total;
      point.signal_kept += kept ? 1 : 0;
    } else {
      ++background_total;
      point.background_kept_count += kept ? 1 : 0;
    }
  }
  point.signal_efficiency = static_cast<double>(point.signal_kept) / static_cast<double>(signal_total);
  point.background_kept = background_total > 0 ? static_cast<double>(point.background_kept_count) /
                                                     static_cast<double>(background_total)
                                               : 0.0;
  return point;
}

std::vector<RocPoint> curve(std::span<const float> scores, std::span<const std::uint8_t> labels,
                            std::size_t points) {
  check_sizes(scores, labels);
  std::vector<RocPoint> result;
  if (points < 2 || scores.empty()) {
    return result;
  }
  const std::vector<std::size_t> order = ascending_order(scores);
  std::size_t signal_total = 0;
  for (const std::uint8_t label : labels) {
    signal_total += label != 0 ? 1 : 0;
  }
  const std::size_t background_total = scores.size() - signal_total;
  if (signal_total == 0 || background_total == 0) {
    return result;
  }

  // Walk up the sorted scores; at each sampled cut, everything from the cut up is kept.
  std::size_t signal_below = 0;
  std::size_t background_below = 0;
  std::size_t next_sample = 0;
  for (std::size_t i = 0; i <= order.size(); ++i) {
    const bool at_tie = i > 0 && i < order.size() && scores[order[i]] == scores[order[i - 1]];
    const double efficiency =
        1.0 - static_cast<double>(signal_below) / static_cast<double>(signal_total);
    const double target = 1.0 - static_cast<double>(next_sample) / static_cast<double>(points - 1);
    if (!at_tie && (efficiency <= target + 1e-12 || i == order.size())) {
      RocPoint point;
      point.threshold = i < order.size() ? scores[order[i]] : scores[order.back()];
      point.signal_efficiency = efficiency;
      point.background_rejection =
          static_cast<double>(background_below) / static_cast<double>(background_total);
      result.push_back(point);
      while (next_sample < points &&
             1.0 - static_cast<double>(next_sample) / static_cast<double>(points - 1) >= efficiency - 1e-12) {
        ++next_sample;
      }
    }
    if (i < order.size()) {
      (labels[order[i]] != 0 ? signal_below : background_below) += 1;
    }
  }
  return result;
}

}  // namespace trackpurity::roc
