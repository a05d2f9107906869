#include "trackpurity/validation/histogram.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "trackpurity/core/error.hpp"

namespace trackpurity::validation {

namespace {

void check_edges(const std::vector<double>& edges) {
  if (edges.size() < 2) {
    throw ConfigError("a histogram needs at least two bin edges, found " +
                      std::to_string(edges.size()));
  }
  for (std::size_t i = 1; i < edges.size(); ++i) {
    if (!(edges[i] > edges[i - 1])) {
      throw ConfigError("histogram bin edges must increase; edge " + std::to_string(i) + " is " +
                        std::to_string(edges[i]) + " after " + std::to_string(edges[i - 1]));
    }
  }
}

// Bin of x, or -1 outside the edges.
std::ptrdiff_t find_bin(const std::vector<double>& edges, double x) noexcept {
  if (!(x >= edges.front() && x < edges.back())) {
    return -1;
  }
  const auto upper = std::upper_bound(edges.begin(), edges.end(), x);
  return std::distance(edges.begin(), upper) - 1;
}

}  // namespace

std::vector<double> make_edges(std::size_t bins, double low, double high, bool logarithmic) {
  if (bins == 0 || !(high > low) || (logarithmic && low <= 0.0)) {
    throw ConfigError("invalid binning: " + std::to_string(bins) + " bins from " +
                      std::to_string(low) + " to " + std::to_string(high) +
                      (logarithmic ? " (logarithmic bins need low > 0)" : ""));
  }
  std::vector<double> edges(bins + 1);
  for (std::size_t i = 0; i <= bins; ++i) {
    const double fraction = static_cast<double>(i) / static_cast<double>(bins);
    edges[i] = logarithmic ? low * std::pow(high / low, fraction) : low + (high - low) * fraction;
  }
  return edges;
}

Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z) noexcept {
  if (n == 0) {
    return {};
  }
  const auto trials = static_cast<double>(n);
  const double p = static_cast<double>(k) / trials;
  const double z2 = z * z;
  const double denominator = 1.0 + z2 / trials;
  const double centre = (p + z2 / (2.0 * trials)) / denominator;
  const double half_width =
      z * std::sqrt(p * (1.0 - p) / trials + z2 / (4.0 * trials * trials)) / denominator;
  return {std::max(0.0, centre - half_width), std::min(1.0, centre + half_width)};
}

RatioHistogram::RatioHistogram(std::vector<double> edges) : edges_(std::move(edges)) {
  check_edges(edges_);
  total_.assign(edges_.size() - 1, 0);
  passed_.assign(edges_.size() - 1, 0);
}

void RatioHistogram::fill(double x, bool passed) noexcept {
  const std::ptrdiff_t bin = find_bin(edges_, x);
  if (bin < 0) {
    return;
  }
  ++total_[static_cast<std::size_t>(bin)];
  passed_[static_cast<std::size_t>(bin)] += passed ? 1 : 0;
}

double RatioHistogram::center(std::size_t bin) const noexcept {
  return 0.5 * (edges_[bin] + edges_[bin + 1]);
}

double RatioHistogram::ratio(std::size_t bin) const noexcept {
  return total_[bin] > 0 ? static_cast<double>(passed_[bin]) / static_cast<double>(total_[bin])
                         : 0.0;
}

double RatioHistogram::lower(std::size_t bin) const noexcept {
  return wilson_interval(passed_[bin], total_[bin]).lower;
}

double RatioHistogram::upper(std::size_t bin) const noexcept {
  return wilson_interval(passed_[bin], total_[bin]).upper;
}

void RatioHistogram::merge(const RatioHistogram& other) {
  if (other.edges_ != edges_) {
    throw ConfigError("cannot merge ratio histograms with different bin edges");
  }
  for (std::size_t bin = 0; bin < total_.size(); ++bin) {
    total_[bin] += other.total_[bin];
    passed_[bin] += other.passed_[bin];
  }
}

Histogram::Histogram(std::vector<double> edges) : edges_(std::move(edges)) {
  check_edges(edges_);
  content_.assign(edges_.size() - 1, 0.0);
}

void Histogram::fill(double x, double weight) noexcept {
  const std::ptrdiff_t bin = find_bin(edges_, x);
  if (bin >= 0) {
    content_[static_cast<std::size_t>(bin)] += weight;
  }
}

double Histogram::center(std::size_t bin) const noexcept {
  return 0.5 * (edges_[bin] + edges_[bin + 1]);
}

double Histogram::integral() const noexcept {
  return std::accumulate(content_.begin(), content_.end(), 0.0);
}

}  // namespace trackpurity::validation
