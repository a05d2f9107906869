#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "trackpurity/core/roc.hpp"

namespace trackpurity::roc {
namespace {

TEST(RocAuc, HandComputedExample) {
  // Pairs (signal, background): (0.35 vs 0.1) win, (0.35 vs 0.4) lose, 0.8 wins both: 3/4.
  const std::vector<float> scores = {0.1F, 0.4F, 0.35F, 0.8F};
  const std::vector<std::uint8_t> labels = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(auc(scores, labels), 0.75);
}

TEST(RocAuc, TiesCountHalf) {
  const std::vector<float> scores = {0.5F, 0.5F, 0.5F, 0.5F};
  const std::vector<std::uint8_t> labels = {0, 1, 0, 1};
  EXPECT_DOUBLE_EQ(auc(scores, labels), 0.5);
}

TEST(RocAuc, PerfectSeparationIsOne) {
  const std::vector<float> scores = {0.1F, 0.2F, 0.9F, 0.95F};
  const std::vector<std::uint8_t> labels = {0, 0, 1, 1};
  EXPECT_DOUBLE_EQ(auc(scores, labels), 1.0);
}

TEST(RocAuc, SingleClassGivesHalf) {
  const std::vector<float> scores = {0.1F, 0.2F};
  const std::vector<std::uint8_t> labels = {1, 1};
  EXPECT_DOUBLE_EQ(auc(scores, labels), 0.5);
}

TEST(RocAuc, MismatchedSizesAreRejected) {
  const std::vector<float> scores = {0.1F, 0.2F};
  const std::vector<std::uint8_t> labels = {1};
  EXPECT_THROW((void)auc(scores, labels), std::invalid_argument);
}

TEST(RocAuc, GaussianClassesMatchAnalyticValue) {
  // Signal N(1,1) against background N(0,1): AUC = Phi(1/sqrt(2)) = 0.76025.
  std::mt19937_64 engine(11);
  std::normal_distribution<float> gauss(0.0F, 1.0F);
  std::vector<float> scores;
  std::vector<std::uint8_t> labels;
  constexpr int kPerClass = 20000;
  for (int i = 0; i < kPerClass; ++i) {
    scores.push_back(gauss(engine) + 1.0F);
    labels.push_back(1);
    scores.push_back(gauss(engine));
    labels.push_back(0);
  }
  const double area = auc(scores, labels);
  const double error = auc_error(area, kPerClass, kPerClass);
  EXPECT_NEAR(error, 0.0025, 0.001);
  EXPECT_NEAR(area, 0.76025, 4.0 * error);
}

TEST(RocWorkingPoint, KeepsTargetFractionOfSignal) {
  std::vector<float> scores;
  std::vector<std::uint8_t> labels;
  for (int i = 0; i < 1000; ++i) {
    scores.push_back(static_cast<float>(i) / 1000.0F);
    labels.push_back(1);
    scores.push_back(static_cast<float>(i) / 4000.0F);
    labels.push_back(0);
  }
  const WorkingPoint point = working_point_at_efficiency(scores, labels, 0.995);
  // floor(0.005 * 1000) = 5 signal entries may fall below: the threshold is the 6th lowest.
  EXPECT_FLOAT_EQ(point.threshold, 0.005F);
  EXPECT_EQ(point.signal_kept, 995U);
  EXPECT_DOUBLE_EQ(point.signal_efficiency, 0.995);
  // Background scores i/4000 >= 0.005 for i >= 20: 980 kept.
  EXPECT_EQ(point.background_kept_count, 980U);
  EXPECT_NEAR(point.background_fraction_of_kept(), 980.0 / 1975.0, 1e-12);
}

TEST(RocWorkingPoint, InvalidTargetIsRejected) {
  const std::vector<float> scores = {0.5F};
  const std::vector<std::uint8_t> labels = {1};
  EXPECT_THROW((void)working_point_at_efficiency(scores, labels, 0.0), std::invalid_argument);
  EXPECT_THROW((void)working_point_at_efficiency(scores, labels, 1.5), std::invalid_argument);
}

TEST(RocCurve, IsMonotonicFromFullEfficiency) {
  std::mt19937_64 engine(5);
  std::uniform_real_distribution<float> uniform(0.0F, 1.0F);
  std::vector<float> scores;
  std::vector<std::uint8_t> labels;
  for (int i = 0; i < 5000; ++i) {
    const bool signal = i % 2 == 0;
    scores.push_back(signal ? std::sqrt(uniform(engine)) : uniform(engine));
    labels.push_back(signal ? 1 : 0);
  }
  const std::vector<RocPoint> points = curve(scores, labels, 50);
  ASSERT_GE(points.size(), 40U);
  EXPECT_DOUBLE_EQ(points.front().signal_efficiency, 1.0);
  EXPECT_DOUBLE_EQ(points.front().background_rejection, 0.0);
  for (std::size_t i = 1; i < points.size(); ++i) {
    EXPECT_LE(points[i].signal_efficiency, points[i - 1].signal_efficiency);
    EXPECT_GE(points[i].background_rejection, points[i - 1].background_rejection);
  }
  EXPECT_DOUBLE_EQ(points.back().background_rejection, 1.0);
}

}  // namespace
}  // namespace trackpurity::roc
