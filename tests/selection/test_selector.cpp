#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/selection/selector.hpp"

namespace trackpurity::selection {
namespace {

// Thresholds and cut exactly representable in float, so boundaries are exact.
WorkingPoints make_points() {
  WorkingPoints points;
  points.main_threshold = 0.375;
  points.displaced_threshold = 0.25;
  points.displaced_dxy_cut = 0.5;
  return points;
}

TEST(KeepRule, ScoreAtMainThresholdKept) {
  const WorkingPoints points = make_points();
  EXPECT_TRUE(keep_track(points, 0.375F, 0.0F));
  EXPECT_FALSE(keep_track(points, std::nextafter(0.375F, 0.0F), 0.0F));
}

TEST(KeepRule, DxyAtCutIsPrompt) {
  const WorkingPoints points = make_points();
  EXPECT_FALSE(keep_track(points, 0.3F, 0.5F));
  EXPECT_FALSE(keep_track(points, 0.3F, -0.5F));
  EXPECT_TRUE(keep_track(points, 0.3F, std::nextafter(0.5F, 1.0F)));
  EXPECT_TRUE(keep_track(points, 0.3F, -std::nextafter(0.5F, 1.0F)));
}

TEST(KeepRule, ScoreAtDisplacedThresholdKept) {
  const WorkingPoints points = make_points();
  EXPECT_TRUE(keep_track(points, 0.25F, 2.0F));
  EXPECT_FALSE(keep_track(points, std::nextafter(0.25F, 0.0F), 2.0F));
}

TEST(KeepRule, DisplacedCategoryCanBeTurnedOff) {
  WorkingPoints points = make_points();
  points.displaced_category = false;
  EXPECT_FALSE(keep_track(points, 0.3F, 2.0F));
  EXPECT_TRUE(keep_track(points, 0.375F, 2.0F));
}

TEST(KeepRule, DisplacedCutIsConfigurable) {
  WorkingPoints points = make_points();
  points.displaced_dxy_cut = 1.0;
  EXPECT_FALSE(keep_track(points, 0.3F, 0.75F));
  EXPECT_TRUE(keep_track(points, 0.3F, 1.5F));
}

TEST(KeepRule, NanScoreNotKept) {
  EXPECT_FALSE(keep_track(make_points(), std::nanf(""), 2.0F));
}

TEST(Select, FlaggedTrackGetsScoreZero) {
  const std::vector<float> scores = {0.9F, 0.9F, 0.9F};
  const std::vector<float> dxy = {0.0F, 0.0F, 2.0F};
  const std::vector<std::uint8_t> flags = {0, 1, 1};
  std::vector<std::uint8_t> keep(3, 7);
  select(make_points(), scores, dxy, flags, keep);
  EXPECT_EQ(keep, (std::vector<std::uint8_t>{1, 0, 0}));

  // A displaced threshold of 0 keeps the flagged displaced track only.
  WorkingPoints points = make_points();
  points.displaced_threshold = 0.0;
  select(points, scores, dxy, flags, keep);
  EXPECT_EQ(keep, (std::vector<std::uint8_t>{1, 0, 1}));

  // A main threshold of 0 keeps every flagged track.
  points.main_threshold = 0.0;
  select(points, scores, dxy, flags, keep);
  EXPECT_EQ(keep, (std::vector<std::uint8_t>{1, 1, 1}));
}

TEST(Select, EmptyFlagsMeanNoneFlagged) {
  const std::vector<float> scores = {0.1F, 0.4F};
  const std::vector<float> dxy = {0.0F, 0.0F};
  std::vector<std::uint8_t> keep(2);
  select(make_points(), scores, dxy, {}, keep);
  EXPECT_EQ(keep, (std::vector<std::uint8_t>{0, 1}));
}

TEST(Select, SizeMismatchRejected) {
  const std::vector<float> scores = {0.1F, 0.4F};
  const std::vector<float> dxy = {0.0F};
  std::vector<std::uint8_t> keep(2);
  EXPECT_THROW(select(make_points(), scores, dxy, {}, keep), std::invalid_argument);
}

TEST(Select, ReadsDxyAndFlagsFromTable) {
  features::FeatureTable table(features::FeatureSet::hlt15());
  table.resize(3);
  const std::span<float> dxy = table.column("dxy_bs");
  dxy[0] = 0.0F;
  dxy[1] = 1.0F;
  dxy[2] = 1.0F;
  table.non_finite_flags()[2] = 1;
  const std::vector<float> scores = {0.3F, 0.3F, 0.3F};
  std::vector<std::uint8_t> keep(3);
  select(make_points(), scores, table, keep);
  EXPECT_EQ(keep, (std::vector<std::uint8_t>{0, 1, 0}));
}

TEST(Select, TableWithoutDxyNeedsDisplacedOff) {
  features::FeatureTable table(features::FeatureSet::from_names({"pt", "eta"}));
  table.resize(2);
  table.non_finite_flags()[1] = 1;
  const std::vector<float> scores = {0.5F, 0.5F};
  std::vector<std::uint8_t> keep(2);
  EXPECT_THROW(select(make_points(), scores, table, keep), ConfigError);

  WorkingPoints points = make_points();
  points.displaced_category = false;
  select(points, scores, table, keep);
  EXPECT_EQ(keep, (std::vector<std::uint8_t>{1, 0}));
}

TEST(Select, ZeroFlaggedScores) {
  std::vector<float> scores = {0.5F, 0.6F};
  const std::vector<std::uint8_t> flags = {0, 1};
  zero_flagged_scores(scores, flags);
  EXPECT_EQ(scores, (std::vector<float>{0.5F, 0.0F}));
}

}  // namespace
}  // namespace trackpurity::selection
