#include <gtest/gtest.h>

#include <vector>

#include "trackpurity/edm/track.hpp"

namespace trackpurity::edm {
namespace {

constexpr auto kBPix = Subdetector::kPixelBarrel;
constexpr auto kFPix = Subdetector::kPixelForward;
constexpr auto kTBPS = Subdetector::kOuterBarrelPS;
constexpr auto kTB2S = Subdetector::kOuterBarrel2S;

HitPatternEntry valid(Subdetector s, int layer) {
  return {s, static_cast<std::uint8_t>(layer), HitType::kValid};
}
HitPatternEntry missing(Subdetector s, int layer) {
  return {s, static_cast<std::uint8_t>(layer), HitType::kMissing};
}
HitPatternEntry inactive(Subdetector s, int layer) {
  return {s, static_cast<std::uint8_t>(layer), HitType::kInactive};
}

TEST(HitPattern, CountsLostInnerOuterAndBetween) {
  const std::vector<HitPatternEntry> pattern = {
      missing(kBPix, 1), valid(kBPix, 2), valid(kBPix, 3),  missing(kBPix, 4),
      valid(kTBPS, 1),   valid(kTBPS, 2), missing(kTBPS, 3), missing(kTB2S, 4)};
  const HitPatternSummary summary = summarize(pattern);
  EXPECT_EQ(summary.valid_hits, 4);
  EXPECT_EQ(summary.valid_pixel_hits, 2);
  EXPECT_EQ(summary.valid_strip_hits, 2);
  EXPECT_EQ(summary.lost_inner_hits, 1);
  EXPECT_EQ(summary.lost_outer_hits, 2);
  EXPECT_EQ(summary.lost_hits, 1);
  EXPECT_EQ(summary.layers_with_measurement, 4);
  EXPECT_EQ(summary.pixel_layers_with_measurement, 2);
  EXPECT_EQ(summary.layers_without_measurement, 1);
}

TEST(HitPattern, MissingHitOnLayerWithValidHitIsNotLayerWithoutMeasurement) {
  // Two modules of layer 3 overlap: one gives a hit, the other is missing.
  const std::vector<HitPatternEntry> pattern = {valid(kBPix, 2), missing(kBPix, 3),
                                                valid(kBPix, 3), valid(kBPix, 4)};
  const HitPatternSummary summary = summarize(pattern);
  EXPECT_EQ(summary.lost_hits, 1);
  EXPECT_EQ(summary.layers_without_measurement, 0);
  EXPECT_EQ(summary.layers_with_measurement, 3);
}

TEST(HitPattern, DiskSidesCountAsOneLayer) {
  // Layer identity ignores the +-z side, so disk 1 appears once.
  const std::vector<HitPatternEntry> pattern = {valid(kFPix, 1), valid(kFPix, 1),
                                                valid(kFPix, 2)};
  EXPECT_EQ(summarize(pattern).layers_with_measurement, 2);
}

TEST(HitPattern, InactiveIsNeitherLostNorLayerWithoutMeasurement) {
  const std::vector<HitPatternEntry> pattern = {inactive(kBPix, 1), valid(kBPix, 2),
                                                inactive(kBPix, 3), valid(kBPix, 4)};
  const HitPatternSummary summary = summarize(pattern);
  EXPECT_EQ(summary.inactive_hits, 2);
  EXPECT_EQ(summary.lost_inner_hits, 0);
  EXPECT_EQ(summary.lost_hits, 0);
  EXPECT_EQ(summary.layers_without_measurement, 0);
}

TEST(HitPattern, PatternWithoutValidHitsCountsAllMissingAsInner) {
  const std::vector<HitPatternEntry> pattern = {missing(kBPix, 1), missing(kBPix, 2)};
  const HitPatternSummary summary = summarize(pattern);
  EXPECT_EQ(summary.valid_hits, 0);
  EXPECT_EQ(summary.lost_inner_hits, 2);
  EXPECT_EQ(summary.lost_outer_hits, 0);
}

TEST(HitPattern, EmptyPatternGivesZeros) { EXPECT_EQ(summarize({}), HitPatternSummary{}); }

}  // namespace
}  // namespace trackpurity::edm
