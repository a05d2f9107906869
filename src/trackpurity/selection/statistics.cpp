#include "trackpurity/selection/statistics.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace trackpurity::selection {

namespace {

constexpr double kTiny = 1e-300;
constexpr double kContinuedFractionEpsilon = 1e-15;
// The fraction converges in O(sqrt(max(a, b))) terms. By that estimate the
// bound covers a and b up to about 1e12.
constexpr int kMaxContinuedFractionTerms = 10'000'000;

// The continued fraction for I_x(a, b) * B(a, b) / (x^a (1 - x)^b) / a, which
// converges fast for x < (a + 1) / (a + b + 2).
double incomplete_beta_fraction(double a, double b, double x) {
  const auto guard = [](double value) { return std::abs(value) < kTiny ? kTiny : value; };

  double c = 1.0;
  double d = 1.0 / guard(1.0 - (a + b) * x / (a + 1.0));
  double result = d;
  for (int m = 1; m <= kMaxContinuedFractionTerms; ++m) {
    const double two_m = 2.0 * m;

    // Even term d_2m = m (b - m) x / ((a + 2m - 1)(a + 2m)).
    const double even = m * (b - m) * x / ((a + two_m - 1.0) * (a + two_m));
    d = 1.0 / guard(1.0 + even * d);
    c = guard(1.0 + even / c);
    result *= d * c;

    // Odd term d_2m+1 = -(a + m)(a + b + m) x / ((a + 2m)(a + 2m + 1)).
    const double odd = -(a + m) * (a + b + m) * x / ((a + two_m) * (a + two_m + 1.0));
    d = 1.0 / guard(1.0 + odd * d);
    c = guard(1.0 + odd / c);
    const double step = d * c;
    result *= step;
    if (std::abs(step - 1.0) < kContinuedFractionEpsilon) {
      return result;
    }
  }
  throw std::runtime_error(fmt::format(
      "incomplete beta continued fraction did not converge for a = {}, b = {}, x = {}", a, b, x));
}

}  // namespace

double regularized_incomplete_beta(double a, double b, double x) {
  if (!(a > 0.0) || !(b > 0.0) || !(x >= 0.0 && x <= 1.0)) {
    throw std::invalid_argument(fmt::format(
        "regularized incomplete beta needs a > 0, b > 0 and x in [0, 1], got a = {}, b = {}, "
        "x = {}",
        a, b, x));
  }
  if (x == 0.0 || x == 1.0) {
    return x;
  }

  // x^a (1 - x)^b / B(a, b), in logarithms to stay finite for large a and b.
  const double log_front = std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) +
                           a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);

  // Use the fraction where it converges fast, and I_x(a, b) = 1 - I_1-x(b, a) elsewhere.
  if (x < (a + 1.0) / (a + b + 2.0)) {
    return front * incomplete_beta_fraction(a, b, x) / a;
  }
  return 1.0 - front * incomplete_beta_fraction(b, a, 1.0 - x) / b;
}

double beta_quantile(double p, double a, double b) {
  if (!(p >= 0.0 && p <= 1.0) || !(a > 0.0) || !(b > 0.0)) {
    throw std::invalid_argument(fmt::format(
        "beta quantile needs p in [0, 1], a > 0 and b > 0, got p = {}, a = {}, b = {}", p, a, b));
  }
  if (p == 0.0 || p == 1.0) {
    return p;
  }

  // I_x(a, b) increases with x, so bisection keeps I_low < p <= I_high.
  double low = 0.0;
  double high = 1.0;
  while (high - low > 1e-15) {
    const double middle = 0.5 * (low + high);
    if (middle <= low || middle >= high) {
      break;  // no double left between the bounds
    }
    if (regularized_incomplete_beta(a, b, middle) < p) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return 0.5 * (low + high);
}

Interval clopper_pearson(std::uint64_t k, std::uint64_t n, double confidence) {
  if (n == 0 || k > n || !(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument(fmt::format(
        "Clopper-Pearson interval needs 0 <= k <= n, n > 0 and confidence in (0, 1), got k = {}, "
        "n = {}, confidence = {}",
        k, n, confidence));
  }
  const double alpha = 1.0 - confidence;
  const auto successes = static_cast<double>(k);
  const auto failures = static_cast<double>(n - k);

  Interval interval;
  interval.low = k == 0 ? 0.0 : beta_quantile(alpha / 2.0, successes, failures + 1.0);
  interval.high = k == n ? 1.0 : beta_quantile(1.0 - alpha / 2.0, successes + 1.0, failures);
  return interval;
}

}  // namespace trackpurity::selection
