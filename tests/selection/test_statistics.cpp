#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

#include "trackpurity/selection/statistics.hpp"

namespace trackpurity::selection {
namespace {

// log of the binomial probability C(n, j) x^j (1 - x)^(n - j).
double log_binomial_term(int n, int j, double x) {
  return std::lgamma(n + 1.0) - std::lgamma(j + 1.0) - std::lgamma(n - j + 1.0) +
         j * std::log(x) + (n - j) * std::log1p(-x);
}

// For integer a and b, I_x(a, b) = P(Binomial(a + b - 1, x) >= a).
double incomplete_beta_by_binomial_sum(int a, int b, double x) {
  const int n = a + b - 1;
  double sum = 0.0;
  for (int j = a; j <= n; ++j) {
    sum += std::exp(log_binomial_term(n, j, x));
  }
  return sum;
}

// P(Binomial(n, x) <= k).
double binomial_cdf(int k, int n, double x) {
  double sum = 0.0;
  for (int j = 0; j <= k; ++j) {
    sum += std::exp(log_binomial_term(n, j, x));
  }
  return sum;
}

TEST(IncompleteBeta, MatchesBinomialSums) {
  struct Case {
    int a;
    int b;
    double x;
  };
  for (const Case c : {Case{2, 3, 0.4}, Case{5, 5, 0.3}, Case{10, 4, 0.8}, Case{1, 7, 0.05},
                       Case{30, 2, 0.97}, Case{200, 150, 0.55}, Case{1990, 11, 0.995}}) {
    EXPECT_NEAR(regularized_incomplete_beta(c.a, c.b, c.x),
                incomplete_beta_by_binomial_sum(c.a, c.b, c.x), 1e-11)
        << "a = " << c.a << ", b = " << c.b << ", x = " << c.x;
  }
}

TEST(IncompleteBeta, ClosedForms) {
  // I_x(1, b) = 1 - (1 - x)^b and I_x(a, 1) = x^a.
  EXPECT_NEAR(regularized_incomplete_beta(1.0, 3.5, 0.2), 1.0 - std::pow(0.8, 3.5), 1e-14);
  EXPECT_NEAR(regularized_incomplete_beta(2.5, 1.0, 0.7), std::pow(0.7, 2.5), 1e-14);
  // Arcsine distribution: I_x(1/2, 1/2) = (2 / pi) asin(sqrt(x)).
  EXPECT_NEAR(regularized_incomplete_beta(0.5, 0.5, 0.3),
              2.0 / std::numbers::pi * std::asin(std::sqrt(0.3)), 1e-13);
  // Symmetry: I_1/2(a, a) = 1/2. The lgamma prefactor loses digits as a grows.
  for (const double a : {0.5, 7.3, 1000.0}) {
    EXPECT_NEAR(regularized_incomplete_beta(a, a, 0.5), 0.5, 1e-12) << "a = " << a;
  }
  EXPECT_NEAR(regularized_incomplete_beta(1e6, 1e6, 0.5), 0.5, 1e-9);
}

TEST(IncompleteBeta, Endpoints) {
  EXPECT_EQ(regularized_incomplete_beta(2.0, 3.0, 0.0), 0.0);
  EXPECT_EQ(regularized_incomplete_beta(2.0, 3.0, 1.0), 1.0);
}

TEST(IncompleteBeta, InvalidArgumentsRejected) {
  EXPECT_THROW((void)regularized_incomplete_beta(0.0, 1.0, 0.5), std::invalid_argument);
  EXPECT_THROW((void)regularized_incomplete_beta(1.0, -1.0, 0.5), std::invalid_argument);
  EXPECT_THROW((void)regularized_incomplete_beta(1.0, 1.0, 1.5), std::invalid_argument);
  EXPECT_THROW((void)regularized_incomplete_beta(1.0, 1.0, std::nan("")), std::invalid_argument);
}

TEST(BetaQuantile, InvertsIncompleteBeta) {
  for (const double p : {1e-6, 0.05, 0.158655, 0.5, 0.841345, 0.999}) {
    for (const auto& [a, b] : {std::pair{2.0, 3.0}, std::pair{0.5, 0.5}, std::pair{1990.0, 11.0}}) {
      const double x = beta_quantile(p, a, b);
      EXPECT_NEAR(regularized_incomplete_beta(a, b, x), p, 1e-10 * std::max(1.0, p / 1e-3))
          << "p = " << p << ", a = " << a << ", b = " << b;
    }
  }
  // Closed form: the quantile of Beta(a, 1) is p^(1/a).
  EXPECT_NEAR(beta_quantile(0.3, 4.0, 1.0), std::pow(0.3, 0.25), 1e-13);
  EXPECT_EQ(beta_quantile(0.0, 2.0, 2.0), 0.0);
  EXPECT_EQ(beta_quantile(1.0, 2.0, 2.0), 1.0);
}

TEST(BetaQuantile, InvalidArgumentsRejected) {
  EXPECT_THROW((void)beta_quantile(1.2, 2.0, 2.0), std::invalid_argument);
  EXPECT_THROW((void)beta_quantile(0.5, 0.0, 2.0), std::invalid_argument);
}

TEST(ClopperPearson, BoundsHaveTailProbabilityAlphaOverTwo) {
  const double alpha_half = (1.0 - kOneSigmaConfidence) / 2.0;
  for (const auto& [k, n] : {std::pair{7, 20}, std::pair{1, 10}, std::pair{1990, 2000},
                            std::pair{499, 500}}) {
    const Interval interval = clopper_pearson(k, n);
    // Lower bound: P(X >= k | p_low) = alpha / 2. Upper: P(X <= k | p_high) = alpha / 2.
    EXPECT_NEAR(1.0 - binomial_cdf(k - 1, n, interval.low), alpha_half, 1e-9)
        << "k = " << k << ", n = " << n;
    EXPECT_NEAR(binomial_cdf(k, n, interval.high), alpha_half, 1e-9)
        << "k = " << k << ", n = " << n;
    EXPECT_LT(interval.low, static_cast<double>(k) / n);
    EXPECT_GT(interval.high, static_cast<double>(k) / n);
  }
}

TEST(ClopperPearson, EdgeCountsHaveClosedForms) {
  const double alpha_half = (1.0 - kOneSigmaConfidence) / 2.0;
  const Interval none = clopper_pearson(0, 10);
  EXPECT_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 1.0 - std::pow(alpha_half, 0.1), 1e-13);
  const Interval all = clopper_pearson(10, 10);
  EXPECT_NEAR(all.low, std::pow(alpha_half, 0.1), 1e-13);
  EXPECT_EQ(all.high, 1.0);
}

TEST(ClopperPearson, InvalidArgumentsRejected) {
  EXPECT_THROW((void)clopper_pearson(0, 0), std::invalid_argument);
  EXPECT_THROW((void)clopper_pearson(11, 10), std::invalid_argument);
  EXPECT_THROW((void)clopper_pearson(5, 10, 1.0), std::invalid_argument);
}

}  // namespace
}  // namespace trackpurity::selection
