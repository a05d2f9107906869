#include <gtest/gtest.h>

#include <cmath>

#include "trackpurity/core/error.hpp"
#include "trackpurity/validation/histogram.hpp"

namespace trackpurity::validation {
namespace {

TEST(MakeEdges, LinearAndLogarithmic) {
  const auto linear = make_edges(4, 0.0, 2.0);
  ASSERT_EQ(linear.size(), 5U);
  EXPECT_DOUBLE_EQ(linear[1], 0.5);
  const auto logarithmic = make_edges(2, 0.1, 10.0, true);
  ASSERT_EQ(logarithmic.size(), 3U);
  EXPECT_NEAR(logarithmic[1], 1.0, 1e-12);
}

TEST(MakeEdges, InvalidBinningIsRejected) {
  EXPECT_THROW((void)make_edges(0, 0.0, 1.0), ConfigError);
  EXPECT_THROW((void)make_edges(3, 1.0, 1.0), ConfigError);
  EXPECT_THROW((void)make_edges(3, 0.0, 1.0, true), ConfigError);
}

TEST(RatioHistogram, CountsPassedAndTotalPerBin) {
  RatioHistogram histogram(make_edges(2, 0.0, 2.0));
  histogram.fill(0.5, true);
  histogram.fill(0.7, false);
  histogram.fill(1.5, true);
  histogram.fill(2.5, true);   // overflow: ignored
  histogram.fill(-0.1, true);  // underflow: ignored
  EXPECT_EQ(histogram.total(0), 2U);
  EXPECT_EQ(histogram.passed(0), 1U);
  EXPECT_DOUBLE_EQ(histogram.ratio(0), 0.5);
  EXPECT_DOUBLE_EQ(histogram.ratio(1), 1.0);
  EXPECT_DOUBLE_EQ(histogram.center(1), 1.5);
  EXPECT_LT(histogram.lower(1), 1.0);
  EXPECT_DOUBLE_EQ(histogram.upper(1), 1.0);
}

TEST(RatioHistogram, MergeAddsCounts) {
  RatioHistogram first(make_edges(2, 0.0, 2.0));
  RatioHistogram second(make_edges(2, 0.0, 2.0));
  first.fill(0.5, true);
  second.fill(0.5, false);
  first.merge(second);
  EXPECT_EQ(first.total(0), 2U);
  EXPECT_EQ(first.passed(0), 1U);
  RatioHistogram other(make_edges(3, 0.0, 2.0));
  EXPECT_THROW(first.merge(other), ConfigError);
}

TEST(WilsonInterval, MatchesHandComputedValues) {
  // k = 8 of n = 10 at z = 1: centre (0.8 + 0.05) / 1.1, half width
  // sqrt(0.016 + 0.0025) / 1.1.
  const Interval interval = wilson_interval(8, 10);
  EXPECT_NEAR(interval.lower, (0.85 - std::sqrt(0.0185)) / 1.1, 1e-12);
  EXPECT_NEAR(interval.upper, (0.85 + std::sqrt(0.0185)) / 1.1, 1e-12);
  const Interval empty = wilson_interval(0, 0);
  EXPECT_DOUBLE_EQ(empty.lower, 0.0);
  EXPECT_DOUBLE_EQ(empty.upper, 1.0);
  EXPECT_DOUBLE_EQ(wilson_interval(0, 50).lower, 0.0);
  EXPECT_GT(wilson_interval(0, 50).upper, 0.0);
}

TEST(Histogram, FillsWeightsAndIntegral) {
  Histogram histogram(make_edges(10, 0.0, 1.0));
  histogram.fill(0.05);
  histogram.fill(0.05, 2.0);
  histogram.fill(0.95);
  histogram.fill(1.0);  // upper edge is exclusive
  EXPECT_DOUBLE_EQ(histogram.content(0), 3.0);
  EXPECT_DOUBLE_EQ(histogram.content(9), 1.0);
  EXPECT_DOUBLE_EQ(histogram.integral(), 4.0);
}

}  // namespace
}  // namespace trackpurity::validation
