#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace trackpurity::validation {

// Bin edges: `bins` equal bins in [low, high), or equal in log10 when `logarithmic`.
std::vector<double> make_edges(std::size_t bins, double low, double high, bool logarithmic = false);

// A ratio histogram: per bin, how many of the `total` entries pass. Used for
// efficiencies (matched particles / selected particles) and rates (fake tracks
// / all tracks). Entries outside the edges are ignored.
class RatioHistogram {
 public:
  explicit RatioHistogram(std::vector<double> edges);

  void fill(double x, bool passed) noexcept;

  std::size_t bins() const noexcept { return total_.size(); }
  const std::vector<double>& edges() const noexcept { return edges_; }
  std::uint64_t total(std::size_t bin) const noexcept { return total_[bin]; }
  std::uint64_t passed(std::size_t bin) const noexcept { return passed_[bin]; }
  double center(std::size_t bin) const noexcept;
  // passed / total, or 0 for an empty bin.
  double ratio(std::size_t bin) const noexcept;
  // Lower and upper 68.27 % binomial interval of the ratio (Wilson score
  // interval, which stays inside [0, 1] at ratios of 0 and 1).
  double lower(std::size_t bin) const noexcept;
  double upper(std::size_t bin) const noexcept;

  // Merges another histogram with the same edges (for per-thread filling).
  void merge(const RatioHistogram& other);

 private:
  std::vector<double> edges_;
  std::vector<std::uint64_t> total_;
  std::vector<std::uint64_t> passed_;
};

// A plain counting histogram (score distributions).
class Histogram {
 public:
  explicit Histogram(std::vector<double> edges);

  void fill(double x, double weight = 1.0) noexcept;

  std::size_t bins() const noexcept { return content_.size(); }
  const std::vector<double>& edges() const noexcept { return edges_; }
  double content(std::size_t bin) const noexcept { return content_[bin]; }
  double center(std::size_t bin) const noexcept;
  double integral() const noexcept;

 private:
  std::vector<double> edges_;
  std::vector<double> content_;
};

// Wilson score interval of k successes in n trials for z standard deviations
// (E. B. Wilson, JASA 22 (1927) 209). Returns {0, 1} for n = 0.
struct Interval {
  double lower = 0.0;
  double upper = 1.0;
};
Interval wilson_interval(std::uint64_t k, std::uint64_t n, double z = 1.0) noexcept;

}  // namespace trackpurity::validation
