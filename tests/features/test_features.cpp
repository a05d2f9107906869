#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/features/extractor.hpp"
#include "trackpurity/features/feature.hpp"
#include "trackpurity/features/feature_set.hpp"
#include "trackpurity/features/feature_table.hpp"

namespace trackpurity::features {
namespace {

using edm::HitPatternEntry;
using edm::HitType;
using edm::Subdetector;

HitPatternEntry entry(Subdetector subdetector, int layer, HitType type) {
  return {subdetector, static_cast<std::uint8_t>(layer), type};
}

// Reference point (0.1, -0.2, 1.0) cm, momentum (3, 4, 12) GeV, charge +1:
// pT = 5 GeV, p = 13 GeV, pz / pT = 2.4.
edm::Track make_track() {
  edm::Track track;
  track.reference_point = {0.1, -0.2, 1.0};
  track.parameters = edm::parameters_from_state(track.reference_point, {3.0, 4.0, 12.0}, +1);
  track.charge = +1;
  track.covariance.set(edm::eQOverP, edm::eQOverP, 1e-6);
  track.covariance.set(edm::eQOverP, edm::eLambda, 2e-7);
  track.covariance.set(edm::eLambda, edm::eLambda, 1e-6);
  track.covariance.set(edm::ePhi, edm::ePhi, 2.5e-7);
  track.covariance.set(edm::eDxy, edm::eDxy, 1e-4);
  track.covariance.set(edm::eDsz, edm::eDsz, 4e-4);
  track.chi2 = 12.0;
  track.ndof = 8;
  track.inner_momentum = {3.0, 4.0, 12.0};
  track.outer_momentum = {2.5, 6.0, 11.0};
  // inactive BPix1 | missing BPix2 | valid BPix3, BPix4 | missing TBPS1 |
  // valid TBPS2, TBPS3 | missing TB2S4 | inactive TB2S5 | bad TB2S6
  track.hit_pattern = {entry(Subdetector::kPixelBarrel, 1, HitType::kInactive),
                       entry(Subdetector::kPixelBarrel, 2, HitType::kMissing),
                       entry(Subdetector::kPixelBarrel, 3, HitType::kValid),
                       entry(Subdetector::kPixelBarrel, 4, HitType::kValid),
                       entry(Subdetector::kOuterBarrelPS, 1, HitType::kMissing),
                       entry(Subdetector::kOuterBarrelPS, 2, HitType::kValid),
                       entry(Subdetector::kOuterBarrelPS, 3, HitType::kValid),
                       entry(Subdetector::kOuterBarrel2S, 4, HitType::kMissing),
                       entry(Subdetector::kOuterBarrel2S, 5, HitType::kInactive),
                       entry(Subdetector::kOuterBarrel2S, 6, HitType::kBad)};
  return track;
}

// One track, a beam spot displaced to (0.3, -0.1, -2.0) cm and three vertices;
// the second has the largest sum pT^2.
edm::Event make_event() {
  edm::Event event;
  event.number = 17;
  event.beam_spot.position = {0.3, -0.1, -2.0};
  event.tracks = {make_track()};
  event.vertices.resize(3);
  event.vertices[0].position = {0.0, 0.0, -4.0};
  event.vertices[0].sum_pt2 = 10.0;
  event.vertices[1].position = {0.1, 0.0, 1.5};
  event.vertices[1].sum_pt2 = 50.0;
  event.vertices[2].position = {0.0, 0.0, 3.0};
  event.vertices[2].sum_pt2 = 20.0;
  return event;
}

// Float32 storage keeps about 7 significant digits.
void expect_float_near(float actual, double expected) {
  EXPECT_NEAR(actual, expected, 1e-6 * std::max(1.0, std::abs(expected)));
}

FeatureTable compute_ok(const edm::Event& event, FeatureSet set = FeatureSet::full29()) {
  FeatureExtractor extractor(set);
  FeatureTable table(set);
  const Status status = extractor.compute(event, table);
  EXPECT_TRUE(status.ok()) << (status.ok() ? "" : status.error().message);
  return table;
}

TEST(FeatureSet, Hlt15ColumnOrder) {
  const std::vector<std::string> expected = {
      "dxy_bs",          "dz_bs",           "dxy_error",        "dz_error",
      "normalized_chi2", "eta",             "phi",              "eta_error",
      "phi_error",       "ndof",            "lost_inner_hits",  "lost_outer_hits",
      "layers_without_measurement",         "valid_pixel_hits", "valid_strip_hits"};
  EXPECT_EQ(FeatureSet::hlt15().names(), expected);
  EXPECT_EQ(FeatureSet::hlt15().name(), "hlt15");
}

TEST(FeatureSet, Full29ExtendsHlt15WithDistinctFeatures) {
  const std::vector<std::string> full = FeatureSet::full29().names();
  const std::vector<std::string> hlt = FeatureSet::hlt15().names();
  ASSERT_EQ(full.size(), 29U);
  EXPECT_TRUE(std::equal(hlt.begin(), hlt.end(), full.begin()));
  EXPECT_EQ(std::set<std::string>(full.begin(), full.end()).size(), 29U);
  EXPECT_EQ(full[15], "pt");
  EXPECT_EQ(full[28], "layers_off_outer");
  EXPECT_EQ(feature_catalog().size(), kFeatureCount);
}

TEST(FeatureSet, ByNameReturnsPredefinedSets) {
  EXPECT_EQ(FeatureSet::by_name("hlt15"), FeatureSet::hlt15());
  EXPECT_EQ(FeatureSet::by_name("full29"), FeatureSet::full29());
}

TEST(FeatureSet, UnknownSetNameRejected) {
  try {
    (void)FeatureSet::by_name("hlt16");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("'hlt16'"), std::string::npos) << error.what();
  }
}

TEST(FeatureSet, UnknownFeatureNameRejected) {
  try {
    (void)FeatureSet::from_names({"dxy_bs", "dz_bss"});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("unknown feature 'dz_bss'"), std::string::npos)
        << error.what();
  }
}

TEST(FeatureSet, DuplicateFeatureRejected) {
  EXPECT_THROW((void)FeatureSet::from_names({"eta", "phi", "eta"}), ConfigError);
}

TEST(FeatureSet, EmptyListRejected) {
  EXPECT_THROW((void)FeatureSet::from_names({}), ConfigError);
}

TEST(FeatureSet, SubsetKeepsUserOrder) {
  const FeatureSet set = FeatureSet::from_names({"pt", "eta", "dxy_bs"}, "ablation");
  EXPECT_EQ(set.name(), "ablation");
  EXPECT_EQ(set.index_of("pt"), 0U);
  EXPECT_EQ(set.index_of("dxy_bs"), 2U);
  EXPECT_FALSE(set.index_of("phi").has_value());
  EXPECT_FALSE(set.index_of("no_such_feature").has_value());

  const FeatureTable table = compute_ok(make_event(), set);
  ASSERT_EQ(table.columns(), 3U);
  expect_float_near(table.column(0)[0], 5.0);
  expect_float_near(table.column(1)[0], std::asinh(2.4));
  expect_float_near(table.column(2)[0], 0.1);
}

TEST(Features, ImpactParametersToDisplacedBeamSpot) {
  const FeatureTable table = compute_ok(make_event());
  // dxy = (-(0.1 - 0.3) * 4 + (-0.2 + 0.1) * 3) / 5 = 0.1
  expect_float_near(table.column("dxy_bs")[0], 0.1);
  // dz = (1.0 + 2.0) - ((-0.2) * 3 + (-0.1) * 4) / 5 * 12 / 5 = 3.48
  expect_float_near(table.column("dz_bs")[0], 3.48);
}

TEST(Features, ImpactParametersToBestVertex) {
  const FeatureTable table = compute_ok(make_event());
  // Vertex 1 (0.1, 0, 1.5): dxy = (0 * 4 + (-0.2) * 3) / 5 = -0.12,
  // dz = -0.5 - ((0 * 3 + (-0.2) * 4) / 5) * 2.4 = -0.116
  expect_float_near(table.column("dxy_pv")[0], -0.12);
  expect_float_near(table.column("dz_pv")[0], -0.116);
}

TEST(Features, BestVertexIsBeamSpotWithoutVertices) {
  edm::Event event = make_event();
  event.vertices.clear();
  const FeatureTable table = compute_ok(event);
  expect_float_near(table.column("dxy_pv")[0], 0.1);
  expect_float_near(table.column("dz_pv")[0], 3.48);
}

TEST(Features, BestVertexHasLargestSumPt2) {
  const edm::Event event = make_event();
  const edm::Vector3 best = best_vertex_position(event);
  EXPECT_EQ(best, event.vertices[1].position);
}

TEST(Features, ErrorsFromCovariance) {
  const FeatureTable table = compute_ok(make_event());
  expect_float_near(table.column("dxy_error")[0], 0.01);           // sqrt(1e-4)
  expect_float_near(table.column("dz_error")[0], 0.02 * 13 / 5);   // sqrt(4e-4) * p / pT
  expect_float_near(table.column("eta_error")[0], 1e-3 * 13 / 5);  // sqrt(1e-6) * p / pT
  expect_float_near(table.column("phi_error")[0], 5e-4);           // sqrt(2.5e-7)
  // (pT p / q)^2 C_qq + 2 (pT p / q) pz C_qlambda + pz^2 C_lambdalambda
  // = 65^2 * 1e-6 + 2 * 65 * 12 * 2e-7 + 144 * 1e-6 = 4681e-6
  expect_float_near(table.column("pt_error")[0], std::sqrt(4681e-6));
}

TEST(Features, PtErrorSignFollowsCharge) {
  edm::Track track = make_track();
  track.parameters = edm::parameters_from_state(track.reference_point, {3.0, 4.0, 12.0}, -1);
  track.charge = -1;
  // The q/p-lambda correlation term changes sign: 4225e-6 - 312e-6 + 144e-6.
  EXPECT_NEAR(pt_error(track), std::sqrt(4057e-6), 1e-12);
  track.charge = 0;
  EXPECT_EQ(pt_error(track), 1e3);
}

TEST(Features, NormalizedChi2AndNdof) {
  edm::Event event = make_event();
  FeatureTable table = compute_ok(event);
  expect_float_near(table.column("normalized_chi2")[0], 1.5);  // 12 / 8
  expect_float_near(table.column("ndof")[0], 8.0);

  event.tracks[0].ndof = 0;
  table = compute_ok(event);
  expect_float_near(table.column("normalized_chi2")[0], 12e6);  // chi2 * 1e6 when ndof = 0
  expect_float_near(table.column("ndof")[0], 0.0);
}

TEST(Features, DirectionAndMomenta) {
  const FeatureTable table = compute_ok(make_event());
  expect_float_near(table.column("eta")[0], std::log(5.0));  // asinh(2.4) = ln(2.4 + 2.6)
  expect_float_near(table.column("phi")[0], std::atan2(4.0, 3.0));
  expect_float_near(table.column("pt")[0], 5.0);
  expect_float_near(table.column("inner_px")[0], 3.0);
  expect_float_near(table.column("inner_py")[0], 4.0);
  expect_float_near(table.column("inner_pz")[0], 12.0);
  expect_float_near(table.column("inner_pt")[0], 5.0);
  expect_float_near(table.column("outer_px")[0], 2.5);
  expect_float_near(table.column("outer_py")[0], 6.0);
  expect_float_near(table.column("outer_pz")[0], 11.0);
  expect_float_near(table.column("outer_pt")[0], 6.5);
}

TEST(Features, HitPatternCounts) {
  const FeatureTable table = compute_ok(make_event());
  EXPECT_EQ(table.column("valid_pixel_hits")[0], 2.0F);
  EXPECT_EQ(table.column("valid_strip_hits")[0], 2.0F);
  EXPECT_EQ(table.column("lost_inner_hits")[0], 1.0F);             // BPix2
  EXPECT_EQ(table.column("lost_outer_hits")[0], 1.0F);             // TB2S4
  EXPECT_EQ(table.column("layers_without_measurement")[0], 1.0F);  // TBPS1
  EXPECT_EQ(table.column("layers_off_inner")[0], 1.0F);            // BPix1 (inactive only)
  EXPECT_EQ(table.column("layers_off_outer")[0], 2.0F);            // TB2S5 and TB2S6
}

TEST(Features, LayerWithMissingHitIsNotOff) {
  // Two modules of TB2S layer 5 after the last valid hit: one inactive, one missing.
  const std::vector<HitPatternEntry> pattern = {
      entry(Subdetector::kPixelBarrel, 1, HitType::kValid),
      entry(Subdetector::kOuterBarrel2S, 5, HitType::kInactive),
      entry(Subdetector::kOuterBarrel2S, 5, HitType::kMissing)};
  const LayersOff off = count_layers_off(pattern);
  EXPECT_EQ(off.inner, 0);
  EXPECT_EQ(off.outer, 0);
}

TEST(Features, EmptyEventGivesEmptyTable) {
  edm::Event event = make_event();
  event.tracks.clear();
  FeatureExtractor extractor(FeatureSet::hlt15());
  FeatureTable table(FeatureSet::hlt15());
  const Status status = extractor.compute(event, table);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(table.rows(), 0U);
  EXPECT_EQ(table.columns(), 15U);
  EXPECT_TRUE(table.column("eta").empty());
  EXPECT_TRUE(table.non_finite_flags().empty());
  EXPECT_EQ(extractor.counts().events, 1U);
}

edm::Event event_with_tracks(std::size_t count) {
  edm::Event event = make_event();
  event.tracks.assign(count, make_track());
  return event;
}

TEST(FeatureTable, ReuseDoesNotReallocate) {
  FeatureExtractor extractor(FeatureSet::hlt15());
  FeatureTable table(FeatureSet::hlt15());
  ASSERT_TRUE(extractor.compute(event_with_tracks(100), table).ok());
  const float* storage = table.values().data();
  const std::size_t capacity = table.capacity_rows();
  EXPECT_GE(capacity, 100U);

  for (const std::size_t tracks : {50U, 0U, 100U, 7U}) {
    ASSERT_TRUE(extractor.compute(event_with_tracks(tracks), table).ok());
    EXPECT_EQ(table.rows(), tracks);
    EXPECT_EQ(table.capacity_rows(), capacity);
    if (tracks > 0) {
      EXPECT_EQ(table.values().data(), storage);
    }
  }
  // Columns of a smaller event are contiguous and hold that event's values.
  const std::span<const float> eta = table.column("eta");
  EXPECT_EQ(eta.data(), storage + 5 * 7);
  for (const float value : eta) {
    expect_float_near(value, std::log(5.0));
  }
}

TEST(FeatureTable, ReserveMakesLaterResizeAllocationFree) {
  FeatureTable table(FeatureSet::hlt15());
  table.reserve(1000);
  const float* storage = table.values().data();
  table.resize(1000);
  EXPECT_EQ(table.values().data(), storage);
  EXPECT_EQ(table.capacity_rows(), 1000U);
}

TEST(FeatureTable, UnknownColumnNameRejected) {
  const FeatureTable table(FeatureSet::hlt15());
  EXPECT_THROW((void)table.column("pt"), ConfigError);
  EXPECT_THROW((void)table.column(15), std::out_of_range);
}

TEST(FeatureExtractor, TableOfAnotherSetRejected) {
  FeatureExtractor extractor(FeatureSet::hlt15());
  FeatureTable table(FeatureSet::full29());
  EXPECT_THROW((void)extractor.compute(make_event(), table), ConfigError);
}

// Three tracks; the middle one gets `modify` applied.
template <typename Modify>
edm::Event event_with_bad_middle_track(Modify modify) {
  edm::Event event = event_with_tracks(3);
  modify(event.tracks[1]);
  return event;
}

TEST(NonFinite, NanFlaggedUnderFlagPolicy) {
  const edm::Event event =
      event_with_bad_middle_track([](edm::Track& track) { track.chi2 = std::nan(""); });
  FeatureExtractor extractor(FeatureSet::hlt15(), {NonFinitePolicy::kFlagTrack});
  FeatureTable table(FeatureSet::hlt15());
  ASSERT_TRUE(extractor.compute(event, table).ok());

  const std::span<const std::uint8_t> flags = table.non_finite_flags();
  EXPECT_EQ(flags[0], 0);
  EXPECT_EQ(flags[1], 1);
  EXPECT_EQ(flags[2], 0);
  EXPECT_TRUE(std::isnan(table.column("normalized_chi2")[1]));
  const std::size_t chi2_column = *FeatureSet::hlt15().index_of("normalized_chi2");
  for (std::size_t column = 0; column < 15; ++column) {
    EXPECT_EQ(extractor.counts().per_feature[column], column == chi2_column ? 1U : 0U)
        << "column " << column;
  }
  EXPECT_EQ(extractor.counts().flagged_tracks, 1U);
}

TEST(NonFinite, NanRejectsEventNamingTrackAndFeature) {
  const edm::Event event =
      event_with_bad_middle_track([](edm::Track& track) { track.chi2 = std::nan(""); });
  FeatureExtractor extractor(FeatureSet::hlt15(), {NonFinitePolicy::kRejectEvent});
  FeatureTable table(FeatureSet::hlt15());
  const Status status = extractor.compute(event, table);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kNonFinite);
  EXPECT_EQ(status.error().message, "event 17: track 1 has a non-finite normalized_chi2 (nan)");
  EXPECT_EQ(extractor.counts().rejected_events, 1U);
}

TEST(NonFinite, InfiniteFlaggedUnderFlagPolicy) {
  const edm::Event event = event_with_bad_middle_track([](edm::Track& track) {
    track.covariance.set(edm::eDxy, edm::eDxy, std::numeric_limits<double>::infinity());
  });
  FeatureExtractor extractor(FeatureSet::hlt15(), {NonFinitePolicy::kFlagTrack});
  FeatureTable table(FeatureSet::hlt15());
  ASSERT_TRUE(extractor.compute(event, table).ok());
  EXPECT_EQ(table.non_finite_flags()[1], 1);
  EXPECT_TRUE(std::isinf(table.column("dxy_error")[1]));
  EXPECT_EQ(extractor.counts().per_feature[*FeatureSet::hlt15().index_of("dxy_error")], 1U);
}

TEST(NonFinite, InfiniteRejectsEvent) {
  const edm::Event event = event_with_bad_middle_track([](edm::Track& track) {
    track.covariance.set(edm::eDxy, edm::eDxy, std::numeric_limits<double>::infinity());
  });
  FeatureExtractor extractor(FeatureSet::hlt15(), {NonFinitePolicy::kRejectEvent});
  FeatureTable table(FeatureSet::hlt15());
  const Status status = extractor.compute(event, table);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "event 17: track 1 has a non-finite dxy_error (inf)");
}

TEST(NonFinite, NanParameterPropagatesToDerivedFeatures) {
  // A NaN phi makes the momentum NaN, so dxy_bs (column 0) is the first non-finite feature.
  const edm::Event event = event_with_bad_middle_track(
      [](edm::Track& track) { track.parameters[edm::ePhi] = std::nan(""); });
  FeatureExtractor extractor(FeatureSet::hlt15(), {NonFinitePolicy::kRejectEvent});
  FeatureTable table(FeatureSet::hlt15());
  const Status status = extractor.compute(event, table);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().message, "event 17: track 1 has a non-finite dxy_bs (nan)");
}

TEST(NonFinite, BeyondFloatRangeCountsAsInfinite) {
  // chi2 * 1e6 with ndof = 0 is finite in double but overflows float32.
  const edm::Event event = event_with_bad_middle_track([](edm::Track& track) {
    track.chi2 = 1e35;
    track.ndof = 0;
  });
  FeatureExtractor extractor(FeatureSet::hlt15(), {NonFinitePolicy::kFlagTrack});
  FeatureTable table(FeatureSet::hlt15());
  ASSERT_TRUE(extractor.compute(event, table).ok());
  EXPECT_EQ(table.non_finite_flags()[1], 1);
}

TEST(NonFinite, FlagsClearedOnNextEvent) {
  FeatureExtractor extractor(FeatureSet::hlt15(), {NonFinitePolicy::kFlagTrack});
  FeatureTable table(FeatureSet::hlt15());
  ASSERT_TRUE(extractor
                  .compute(event_with_bad_middle_track(
                               [](edm::Track& track) { track.chi2 = std::nan(""); }),
                           table)
                  .ok());
  ASSERT_TRUE(extractor.compute(event_with_tracks(3), table).ok());
  for (const std::uint8_t flag : table.non_finite_flags()) {
    EXPECT_EQ(flag, 0);
  }
  EXPECT_EQ(extractor.counts().events, 2U);
  EXPECT_EQ(extractor.counts().tracks, 6U);
  EXPECT_EQ(extractor.counts().flagged_tracks, 1U);
}

}  // namespace
}  // namespace trackpurity::features
