#include <gtest/gtest.h>

#include <set>

#include "trackpurity/core/error.hpp"
#include "trackpurity/train/dataset.hpp"

namespace trackpurity::train {
namespace {

// 20 events of 5 tracks each, two features; odd tracks are fakes.
LabelledTracks make_tracks() {
  LabelledTracks tracks;
  tracks.feature_names = {"a", "b"};
  for (std::uint32_t event = 0; event < 20; ++event) {
    for (int track = 0; track < 5; ++track) {
      tracks.features.push_back(static_cast<float>(event));
      tracks.features.push_back(static_cast<float>(-track));
      tracks.labels.push_back(track % 2 == 0 ? 1 : 0);
      tracks.event_ids.push_back(event);
      tracks.abs_dxy.push_back(0.01F);
    }
  }
  return tracks;
}

std::set<std::uint32_t> events_of(const LabelledTracks& tracks, const std::vector<std::size_t>& rows) {
  std::set<std::uint32_t> events;
  for (const std::size_t row : rows) {
    events.insert(tracks.event_ids[row]);
  }
  return events;
}

TEST(SplitByEvent, KeepsEventsWhole) {
  const LabelledTracks tracks = make_tracks();
  const Split split = split_by_event(tracks, 0.2, 0.2, 3);
  const auto train = events_of(tracks, split.train);
  const auto validation = events_of(tracks, split.validation);
  const auto test = events_of(tracks, split.test);
  EXPECT_EQ(validation.size(), 4U);
  EXPECT_EQ(test.size(), 4U);
  EXPECT_EQ(train.size(), 12U);
  for (const std::uint32_t event : validation) {
    EXPECT_EQ(train.count(event), 0U);
    EXPECT_EQ(test.count(event), 0U);
  }
  EXPECT_EQ(split.train.size() + split.validation.size() + split.test.size(), tracks.rows());
}

TEST(SplitByEvent, SameSeedSameSplit) {
  const LabelledTracks tracks = make_tracks();
  EXPECT_EQ(split_by_event(tracks, 0.2, 0.2, 9).test, split_by_event(tracks, 0.2, 0.2, 9).test);
  EXPECT_NE(split_by_event(tracks, 0.2, 0.2, 9).test, split_by_event(tracks, 0.2, 0.2, 10).test);
}

TEST(SplitByEvent, InvalidFractionsAreRejected) {
  const LabelledTracks tracks = make_tracks();
  EXPECT_THROW((void)split_by_event(tracks, 0.6, 0.5, 1), ConfigError);
  EXPECT_THROW((void)split_by_event(tracks, 0.0, 0.2, 1), ConfigError);
}

TEST(SplitByEvent, TooFewEventsAreRejected) {
  LabelledTracks tracks = make_tracks();
  tracks.event_ids.assign(tracks.rows(), 0);
  tracks.event_ids[0] = 1;
  EXPECT_THROW((void)split_by_event(tracks, 0.2, 0.2, 1), ConfigError);
}

TEST(FeatureRange, UsesOnlyGivenRows) {
  const LabelledTracks tracks = make_tracks();
  const FeatureRange range = feature_range(tracks, {0, 1, 2, 7});  // events 0 and 1
  EXPECT_FLOAT_EQ(range.min[0], 0.0F);
  EXPECT_FLOAT_EQ(range.max[0], 1.0F);
  EXPECT_FLOAT_EQ(range.min[1], -2.0F);
  EXPECT_FLOAT_EQ(range.max[1], 0.0F);
}

TEST(BalanceRows, UndersamplingEqualisesClasses) {
  const LabelledTracks tracks = make_tracks();  // 60 genuine, 40 fake
  std::vector<std::size_t> rows(tracks.rows());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rows[i] = i;
  }
  const auto balanced = balance_rows(tracks, rows, ClassBalance::kUndersample, 1);
  int genuine = 0;
  for (const std::size_t row : balanced) {
    genuine += tracks.labels[row];
  }
  EXPECT_EQ(balanced.size(), 80U);
  EXPECT_EQ(genuine, 40);
  EXPECT_EQ(balance_rows(tracks, rows, ClassBalance::kWeights, 1).size(), 100U);
}

TEST(LabelledTracks, AppendRejectsDifferentFeatures) {
  LabelledTracks first = make_tracks();
  LabelledTracks second = make_tracks();
  second.feature_names = {"a", "c"};
  EXPECT_THROW(first.append(second), ConfigError);
  LabelledTracks third = make_tracks();
  first.append(third);
  EXPECT_EQ(first.rows(), 200U);
}

}  // namespace
}  // namespace trackpurity::train
