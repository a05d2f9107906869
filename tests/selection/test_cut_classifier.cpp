#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/selection/cut_classifier.hpp"

namespace trackpurity::selection {
namespace {

constexpr double kInside = 1.0 - 1e-9;  // factor that moves a value just inside an upper limit
constexpr double kOutside = 1.0 + 1e-9;

// A track that passes every highPurity cut by a wide margin.
CutInputs good_track() {
  CutInputs in;
  in.layers = 10;
  in.layers_3d = 6;
  in.pixel_hits = 4;
  in.lost_layers = 0;
  in.ndof = 15.0;
  in.normalized_chi2 = 1.0;
  in.abs_dz = 0.0;
  in.abs_dxy = 0.0;
  in.dz_error = 0.01;
  in.dxy_error = 0.01;
  in.pt = 1.0;
  in.p = 2.0;
  return in;
}

template <typename Modify>
Quality classify_with(Modify modify, const CutClassifierConfig& config = {}) {
  CutInputs in = good_track();
  modify(in);
  return CutClassifier(config).classify(in);
}

TEST(CutClassifier, GoodTrackIsHighPurity) {
  EXPECT_EQ(CutClassifier().classify(good_track()), Quality::kHighPurity);
}

TEST(CutClassifier, NdofBoundary) {
  EXPECT_EQ(classify_with([](CutInputs& in) { in.ndof = 1e-5; }), Quality::kHighPurity);
  EXPECT_EQ(classify_with([](CutInputs& in) { in.ndof = 1e-5 * kInside; }), Quality::kNone);
  EXPECT_EQ(classify_with([](CutInputs& in) { in.ndof = 0.0; }), Quality::kNone);
}

TEST(CutClassifier, LayersBoundary) {
  EXPECT_EQ(classify_with([](CutInputs& in) { in.layers = 3; }), Quality::kHighPurity);
  EXPECT_EQ(classify_with([](CutInputs& in) { in.layers = 2; }), Quality::kNone);
}

TEST(CutClassifier, ThreeDimensionalLayersBoundary) {
  EXPECT_EQ(classify_with([](CutInputs& in) { in.layers_3d = 3; }), Quality::kHighPurity);
  EXPECT_EQ(classify_with([](CutInputs& in) { in.layers_3d = 2; }), Quality::kNone);
}

TEST(CutClassifier, PixelHitsBoundary) {
  EXPECT_EQ(classify_with([](CutInputs& in) { in.pixel_hits = 3; }), Quality::kHighPurity);
  EXPECT_EQ(classify_with([](CutInputs& in) { in.pixel_hits = 2; }), Quality::kTight);
  EXPECT_EQ(classify_with([](CutInputs& in) { in.pixel_hits = 0; }), Quality::kTight);
}

TEST(CutClassifier, LostLayersBoundary) {
  EXPECT_EQ(classify_with([](CutInputs& in) { in.lost_layers = 2; }), Quality::kHighPurity);
  EXPECT_EQ(classify_with([](CutInputs& in) { in.lost_layers = 3; }), Quality::kLoose);
  EXPECT_EQ(classify_with([](CutInputs& in) { in.lost_layers = 4; }), Quality::kNone);
}

TEST(CutClassifier, Chi2PerLayerBoundary) {
  // 10 layers: chi2/ndof/layers <= 1.2 / 1.4 / 2.0. maxChi2 (16 for highPurity,
  // 25 for tight) does not bind before chi2n does here.
  const auto with_chi2 = [](double chi2) {
    return classify_with([chi2](CutInputs& in) { in.normalized_chi2 = chi2; });
  };
  EXPECT_EQ(with_chi2(12.0), Quality::kHighPurity);
  EXPECT_EQ(with_chi2(12.0 * kOutside), Quality::kTight);
  EXPECT_EQ(with_chi2(14.0), Quality::kTight);
  EXPECT_EQ(with_chi2(14.0 * kOutside), Quality::kLoose);
  EXPECT_EQ(with_chi2(20.0), Quality::kLoose);
  EXPECT_EQ(with_chi2(20.0 * kOutside), Quality::kNone);
}

TEST(CutClassifier, Chi2Boundary) {
  // 30 layers keep chi2/ndof/layers inside every level up to chi2/ndof = 36;
  // the loose level gets a wide chi2n cut so that maxChi2 = 9999 binds.
  CutClassifierConfig config;
  config.loose.max_chi2n = 1e6;
  const auto with_chi2 = [&config](double chi2) {
    return classify_with(
        [chi2](CutInputs& in) {
          in.layers = 30;
          in.normalized_chi2 = chi2;
        },
        config);
  };
  EXPECT_EQ(with_chi2(16.0), Quality::kHighPurity);
  EXPECT_EQ(with_chi2(16.0 * kOutside), Quality::kTight);
  EXPECT_EQ(with_chi2(25.0), Quality::kTight);
  EXPECT_EQ(with_chi2(25.0 * kOutside), Quality::kLoose);
  EXPECT_EQ(with_chi2(9999.0), Quality::kLoose);
  EXPECT_EQ(with_chi2(9999.0 * kOutside), Quality::kNone);
}

// Nominal resolutions for pT = 1 GeV, p = 2 GeV:
// sigma_d0 = sqrt(0.003^2 + 0.001^2) cm, sigma_dz = sigma_d0 * p / pT.
const double kSigmaD0 = std::sqrt(0.003 * 0.003 + 0.001 * 0.001);
const double kSigmaDz = kSigmaD0 * 2.0;

// Expects the dz (or dxy) level just inside and just outside each limit.
template <typename Set>
void expect_impact_parameter_levels(Set set, double high_purity, double tight, double loose) {
  EXPECT_EQ(classify_with([&](CutInputs& in) { set(in, high_purity * kInside); }),
            Quality::kHighPurity);
  EXPECT_EQ(classify_with([&](CutInputs& in) { set(in, high_purity * kOutside); }),
            Quality::kTight);
  EXPECT_EQ(classify_with([&](CutInputs& in) { set(in, tight * kInside); }), Quality::kTight);
  EXPECT_EQ(classify_with([&](CutInputs& in) { set(in, tight * kOutside); }), Quality::kLoose);
  EXPECT_EQ(classify_with([&](CutInputs& in) { set(in, loose * kInside); }), Quality::kLoose);
  EXPECT_EQ(classify_with([&](CutInputs& in) { set(in, loose * kOutside); }), Quality::kNone);
}

TEST(CutClassifier, DzBoundaryFromTrackError) {
  // 5 layers, dz error 0.001 cm: limits (0.7*5)^4, (0.8*5)^4, (0.9*5)^4 times
  // 0.001 cm, below the resolution terms (0.55*5)^4 ... times sigma_dz.
  expect_impact_parameter_levels(
      [](CutInputs& in, double dz) {
        in.layers = 5;
        in.dz_error = 0.001;
        in.abs_dz = dz;
      },
      150.0625 * 0.001, 256.0 * 0.001, 410.0625 * 0.001);
}

TEST(CutClassifier, DzBoundaryFromNominalResolution) {
  // 5 layers, dz error 0.01 cm: limits (0.55*5)^4, (0.7*5)^4, (0.8*5)^4 times sigma_dz.
  expect_impact_parameter_levels(
      [](CutInputs& in, double dz) {
        in.layers = 5;
        in.dz_error = 0.01;
        in.abs_dz = dz;
      },
      57.19140625 * kSigmaDz, 150.0625 * kSigmaDz, 256.0 * kSigmaDz);
}

TEST(CutClassifier, DxyBoundaryFromTrackError) {
  // 5 layers, dxy error 0.0005 cm: limits (0.6*5)^4, (0.7*5)^4, (0.8*5)^4 times 0.0005 cm.
  expect_impact_parameter_levels(
      [](CutInputs& in, double dxy) {
        in.layers = 5;
        in.dxy_error = 0.0005;
        in.abs_dxy = dxy;
      },
      81.0 * 0.0005, 150.0625 * 0.0005, 256.0 * 0.0005);
}

TEST(CutClassifier, DxyBoundaryFromNominalResolution) {
  // 5 layers, dxy error 0.01 cm: limits (0.45*5)^4, (0.5*5)^4, (0.6*5)^4 times sigma_d0.
  expect_impact_parameter_levels(
      [](CutInputs& in, double dxy) {
        in.layers = 5;
        in.dxy_error = 0.01;
        in.abs_dxy = dxy;
      },
      25.62890625 * kSigmaD0, 39.0625 * kSigmaD0, 81.0 * kSigmaD0);
}

TEST(CutClassifier, QualityIsMinimumOverCuts) {
  // Tight from the pixel hits, loose from the lost layers.
  EXPECT_EQ(classify_with([](CutInputs& in) {
              in.pixel_hits = 1;
              in.lost_layers = 3;
            }),
            Quality::kLoose);
}

TEST(CutClassifier, InvalidConfigRejected) {
  CutClassifierConfig config;
  config.tight.dz_error_factor = -0.1;
  EXPECT_THROW(CutClassifier{config}, ConfigError);
  config = {};
  config.layer_exponent = -1;
  EXPECT_THROW(CutClassifier{config}, ConfigError);
  config = {};
  config.high_purity.min_pixel_hits = -1;
  EXPECT_THROW(CutClassifier{config}, ConfigError);
  config = {};
  config.d0_resolution = std::nan("");
  EXPECT_THROW(CutClassifier{config}, ConfigError);
  config = {};
  config.loose.max_chi2 = std::nan("");
  EXPECT_THROW(CutClassifier{config}, ConfigError);
}

TEST(CutClassifier, QualityNames) {
  EXPECT_EQ(to_string(Quality::kNone), "none");
  EXPECT_EQ(to_string(Quality::kHighPurity), "highPurity");
}

edm::HitPatternEntry valid(edm::Subdetector subdetector, int layer) {
  return {subdetector, static_cast<std::uint8_t>(layer), edm::HitType::kValid};
}

edm::Hit make_hit(std::uint32_t id, edm::Subdetector subdetector, int layer, double radius) {
  edm::Hit hit;
  hit.id = id;
  hit.subdetector = subdetector;
  hit.layer = static_cast<std::uint8_t>(layer);
  hit.position = {radius, 0.0, 150.0};
  return hit;
}

// A track at reference point (0, 0, 0.3) cm with momentum (3, 4, 0) GeV, so
// dz(P) = 0.3 - Pz and dxy(P) = (4 Px - 3 Py) / 5; six valid hits: BPix 1-2,
// TBPS 1, TB2S 4, TEDD 1 at r = 40 cm (PS) and TEDD 2 at r = 80 cm (2S).
edm::Event make_event() {
  edm::Event event;
  event.beam_spot.position = {0.05, 0.0, 0.0};
  edm::Track track;
  track.reference_point = {0.0, 0.0, 0.3};
  track.parameters = edm::parameters_from_state(track.reference_point, {3.0, 4.0, 0.0}, 1);
  track.charge = 1;
  track.hit_pattern = {valid(edm::Subdetector::kPixelBarrel, 1),
                       valid(edm::Subdetector::kPixelBarrel, 2),
                       valid(edm::Subdetector::kOuterBarrelPS, 1),
                       valid(edm::Subdetector::kOuterBarrel2S, 4),
                       valid(edm::Subdetector::kOuterEndcap, 1),
                       valid(edm::Subdetector::kOuterEndcap, 2)};
  event.hits = {make_hit(0, edm::Subdetector::kPixelBarrel, 1, 3.0),
                make_hit(1, edm::Subdetector::kPixelBarrel, 2, 6.15),
                make_hit(2, edm::Subdetector::kOuterBarrelPS, 1, 23.3),
                make_hit(3, edm::Subdetector::kOuterBarrel2S, 4, 68.7),
                make_hit(4, edm::Subdetector::kOuterEndcap, 1, 40.0),
                make_hit(5, edm::Subdetector::kOuterEndcap, 2, 80.0)};
  track.hits = {0, 1, 2, 3, 4, 5};
  event.tracks = {track};

  event.vertices.resize(3);
  event.vertices[0].position = {0.0, 0.0, 5.0};
  event.vertices[0].track_count = 10;
  event.vertices[1].position = {0.0, 0.0, 0.2};
  event.vertices[1].track_count = 2;  // too few tracks to be a candidate
  event.vertices[2].position = {0.01, 0.0, 1.0};
  event.vertices[2].track_count = 3;
  return event;
}

TEST(CutClassifierInputs, ClosestVertexWithEnoughTracks) {
  const edm::Event event = make_event();
  const CutInputs in = CutClassifier().inputs(event.tracks[0], event);
  EXPECT_NEAR(in.abs_dz, 0.7, 1e-12);     // vertex 2: |0.3 - 1.0|
  EXPECT_NEAR(in.abs_dxy, 0.008, 1e-12);  // 4 * 0.01 / 5

  CutClassifierConfig config;
  config.min_vertex_tracks = 2;
  const CutInputs with_vertex_1 = CutClassifier(config).inputs(event.tracks[0], event);
  EXPECT_NEAR(with_vertex_1.abs_dz, 0.1, 1e-12);
  EXPECT_NEAR(with_vertex_1.abs_dxy, 0.0, 1e-12);
}

TEST(CutClassifierInputs, ClosestVertexUsesFullDz) {
  // Momentum (3, 4, 12) GeV at (0.1, -0.2, 1.0) cm. Vertex A at (0.5, 0.5, 1.0)
  // has the same z but dz = 0.8 * 2.4 = 1.92 cm; vertex B at (0, 0, 0.7) has
  // dz = 0.3 + 0.1 * 2.4 = 0.54 cm and is the closest.
  edm::Event event = make_event();
  edm::Track& track = event.tracks[0];
  track.reference_point = {0.1, -0.2, 1.0};
  track.parameters = edm::parameters_from_state(track.reference_point, {3.0, 4.0, 12.0}, 1);
  event.vertices.resize(2);
  event.vertices[0].position = {0.5, 0.5, 1.0};
  event.vertices[0].track_count = 3;
  event.vertices[1].position = {0.0, 0.0, 0.7};
  event.vertices[1].track_count = 3;
  const CutInputs in = CutClassifier().inputs(track, event);
  EXPECT_NEAR(in.abs_dz, 0.54, 1e-12);
  EXPECT_NEAR(in.abs_dxy, std::abs(track.dxy(event.vertices[1].position)), 1e-12);
}

TEST(CutClassifierInputs, BeamSpotWithoutCandidateVertex) {
  edm::Event event = make_event();
  for (edm::Vertex& vertex : event.vertices) {
    vertex.track_count = 1;
  }
  const CutInputs in = CutClassifier().inputs(event.tracks[0], event);
  EXPECT_NEAR(in.abs_dz, 0.3, 1e-12);
  EXPECT_NEAR(in.abs_dxy, 0.04, 1e-12);  // 4 * 0.05 / 5
}

TEST(CutClassifierInputs, ThreeDimensionalLayersCountPixelAndPs) {
  edm::Event event = make_event();
  const CutInputs in = CutClassifier().inputs(event.tracks[0], event);
  EXPECT_EQ(in.layers, 6);
  EXPECT_EQ(in.layers_3d, 4);  // BPix 1, BPix 2, TBPS 1, TEDD 1 (r = 40 cm)
  EXPECT_EQ(in.pixel_hits, 2);

  // Without hit ids PS and 2S modules of TEDD are indistinguishable, so no disk counts.
  event.tracks[0].hits.clear();
  EXPECT_EQ(CutClassifier().inputs(event.tracks[0], event).layers_3d, 3);
}

TEST(CutClassifierInputs, EventClassification) {
  edm::Event event = make_event();
  event.tracks[0].ndof = 7;
  event.tracks[0].chi2 = 7.0;
  event.tracks[0].covariance.set(edm::eDxy, edm::eDxy, 1e-4);
  event.tracks[0].covariance.set(edm::eDsz, edm::eDsz, 1e-4);
  event.tracks.push_back(event.tracks[0]);
  event.tracks[1].ndof = 0;
  const CutClassifier classifier;
  // Track 0: |dz| = 0.7 cm is far inside the 6-layer limits, but 2 pixel hits make it tight.
  EXPECT_EQ(classifier.classify(event), (std::vector<Quality>{Quality::kTight, Quality::kNone}));

  std::vector<Quality> too_short(1);
  EXPECT_THROW(classifier.classify(event, too_short), std::invalid_argument);
}

}  // namespace
}  // namespace trackpurity::selection
