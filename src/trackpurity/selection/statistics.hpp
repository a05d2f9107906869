#pragma once

#include <cstdint>

namespace trackpurity::selection {

// Confidence level of a central 1-sigma interval, erf(1 / sqrt(2)) = 0.682689..., rounded.
inline constexpr double kOneSigmaConfidence = 0.6827;

// Regularized incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1],
// by the continued fraction of Abramowitz and Stegun 26.5.8 evaluated with
// the modified Lentz method. The prefactor comes from std::lgamma, whose
// rounding limits the absolute error to about 1e-16 (a + b) log(a + b):
// tests agree with binomial sums to 1e-11 for a + b = 2000 and with
// I_1/2(a, a) = 1/2 to 1e-9 for a = 1e6. Throws std::invalid_argument outside
// the domain.
double regularized_incomplete_beta(double a, double b, double x);

// Quantile of the beta distribution: the x in [0, 1] with I_x(a, b) = p, found
// by bisection to 1e-15 in x. Throws std::invalid_argument outside the domain.
double beta_quantile(double p, double a, double b);

struct Interval {
  double low = 0.0;
  double high = 1.0;

  friend bool operator==(const Interval&, const Interval&) = default;
};

// Clopper-Pearson interval of a binomial fraction k / n at `confidence`
// (central: alpha / 2 on each side). low is 0 when k = 0 and high is 1 when
// k = n. Throws std::invalid_argument when n = 0, k > n or confidence is
// outside (0, 1).
Interval clopper_pearson(std::uint64_t k, std::uint64_t n,
                         double confidence = kOneSigmaConfidence);

}  // namespace trackpurity::selection
