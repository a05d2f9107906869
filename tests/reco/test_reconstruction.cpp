#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "helix_hits.hpp"
#include "trackpurity/reco/reconstruction.hpp"

namespace trackpurity::reco {
namespace {

const geometry::Geometry& shared_geometry() {
  static const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  return geometry;
}

edm::Track track_at_z0(double z0, double pt) {
  edm::Track track;
  track.reference_point = {0.0, 0.0, z0};
  track.parameters = edm::parameters_from_state(track.reference_point, {pt, 0.0, 0.0}, 1);
  track.covariance.set(edm::eDsz, edm::eDsz, 0.01 * 0.01);
  track.covariance.set(edm::eDxy, edm::eDxy, 0.001 * 0.001);
  return track;
}

TEST(VertexFinder, ClustersHandMadeZ0) {
  std::vector<edm::Track> tracks;
  for (const double z0 : {1.00, 1.02, 1.04, 1.06}) {
    tracks.push_back(track_at_z0(z0, 1.0));
  }
  for (const double z0 : {-3.0, -2.98, -2.96}) {
    tracks.push_back(track_at_z0(z0, 10.0));
  }
  tracks.push_back(track_at_z0(5.0, 50.0));  // alone: no vertex
  tracks.push_back(track_at_z0(5.05, 0.5));  // below the pT threshold
  const auto vertices = find_vertices(tracks, edm::BeamSpot{}, VertexFinderConfig{});
  ASSERT_EQ(vertices.size(), 2U);
  EXPECT_NEAR(vertices[0].position.z, -2.98, 1e-9);  // sum pT^2 = 300 comes first
  EXPECT_EQ(vertices[0].track_count, 3U);
  EXPECT_NEAR(vertices[0].sum_pt2, 300.0, 1e-9);
  EXPECT_NEAR(vertices[0].sigma_z, 0.01 / std::sqrt(3.0), 1e-9);
  EXPECT_NEAR(vertices[1].position.z, 1.03, 1e-9);
  EXPECT_EQ(vertices[1].track_count, 4U);
}

TEST(Ambiguity, RemovesCandidateSharingHalfPlusOne) {
  const std::vector<std::vector<std::uint32_t>> hits{
      {0, 1, 2, 3, 4, 5}, {0, 1, 2, 3, 10, 11}, {0, 1, 20, 21, 22, 23}, {30, 31, 32, 33}};
  const std::vector<double> chi2{1.0, 4.0, 3.0, 1.0};
  const auto kept = resolve_ambiguities(hits, chi2, 0.5, 40);
  // Candidate 1 shares 4 of 6 hits with candidate 0; candidate 2 shares 2 of 6.
  ASSERT_EQ(kept.size(), 3U);
  EXPECT_EQ(kept[0], 0U);  // equal hit counts: lowest chi2/ndof first
  EXPECT_EQ(kept[1], 2U);
  EXPECT_EQ(kept[2], 3U);
}

TEST(Reconstructor, EventWithoutHitsGivesNoTracks) {
  Reconstructor reconstructor(shared_geometry(), ReconstructionConfig::defaults());
  edm::Event event;
  const ReconstructionCounters counters = reconstructor.reconstruct(event);
  EXPECT_TRUE(event.tracks.empty());
  EXPECT_TRUE(event.vertices.empty());
  EXPECT_EQ(counters.seeds, 0U);
}

TEST(Reconstructor, RejectsInvalidConfiguration) {
  ReconstructionConfig config = ReconstructionConfig::defaults();
  config.max_shared_fraction = 1.5;
  EXPECT_THROW(Reconstructor(shared_geometry(), config), ConfigError);
  config = ReconstructionConfig::defaults();
  config.prompt_finding.min_hits = 2;
  EXPECT_THROW(Reconstructor(shared_geometry(), config), ConfigError);
}

// One 5 GeV muon from the origin with hits from the test helix generator
// (no material).
edm::Event muon_event(std::mt19937_64& random, double phi, double eta) {
  edm::Event event;
  edm::Particle muon;
  muon.charge = 1;
  const double pt = 5.0;
  muon.momentum = {pt * std::cos(phi), pt * std::sin(phi), pt * std::sinh(eta)};
  event.particles.push_back(muon);
  event.hits = testing::helix_hits(shared_geometry(), muon, random);
  return event;
}

TEST(Reconstructor, FindsSingleMuonWithFullPattern) {
  Reconstructor reconstructor(shared_geometry(), ReconstructionConfig::defaults());
  std::mt19937_64 random(3);
  edm::Event event = muon_event(random, 0.3, 0.2);
  (void)reconstructor.reconstruct(event);
  ASSERT_EQ(event.tracks.size(), 1U);
  const edm::Track& track = event.tracks.front();
  EXPECT_EQ(track.hits.size(), event.hits.size());
  EXPECT_EQ(track.iteration, edm::Iteration::kPrompt);
  EXPECT_EQ(track.ndof, 2 * static_cast<int>(event.hits.size()) - 5);
  const edm::HitPatternSummary summary = edm::summarize(track.hit_pattern);
  EXPECT_EQ(summary.lost_inner_hits, 0);
  EXPECT_EQ(summary.layers_without_measurement, 0);
  EXPECT_NEAR(track.pt(), 5.0, 0.1);
}

TEST(Reconstructor, MissingMiddleHitIsLayerWithoutMeasurement) {
  Reconstructor reconstructor(shared_geometry(), ReconstructionConfig::defaults());
  std::mt19937_64 random(4);
  edm::Event event = muon_event(random, 1.0, 0.1);
  ASSERT_GE(event.hits.size(), 8U);
  // Remove the hit of the second Outer-Tracker layer and renumber.
  event.hits.erase(event.hits.begin() + 5);
  for (std::uint32_t i = 0; i < event.hits.size(); ++i) {
    event.hits[i].id = i;
  }
  (void)reconstructor.reconstruct(event);
  ASSERT_EQ(event.tracks.size(), 1U);
  const edm::HitPatternSummary summary = edm::summarize(event.tracks.front().hit_pattern);
  EXPECT_EQ(summary.layers_without_measurement, 1);
  EXPECT_EQ(summary.lost_inner_hits, 0);
  EXPECT_EQ(summary.lost_outer_hits, 0);
}

TEST(Reconstructor, MissingFirstHitIsLostInnerHit) {
  Reconstructor reconstructor(shared_geometry(), ReconstructionConfig::defaults());
  std::mt19937_64 random(5);
  edm::Event event = muon_event(random, -2.0, -0.3);
  event.hits.erase(event.hits.begin());
  for (std::uint32_t i = 0; i < event.hits.size(); ++i) {
    event.hits[i].id = i;
  }
  (void)reconstructor.reconstruct(event);
  ASSERT_EQ(event.tracks.size(), 1U);
  const edm::HitPatternSummary summary = edm::summarize(event.tracks.front().hit_pattern);
  EXPECT_EQ(summary.lost_inner_hits, 1);
  EXPECT_EQ(summary.layers_without_measurement, 0);
}

TEST(Reconstructor, ImpactParametersOfDisplacedMuon) {
  // A muon from (0.3, 0, 2) cm moving along +y: dxy = -x p_y / pT = -0.3 cm
  // and dz = 2 cm at the perigee of the z axis, up to the fit resolution.
  std::mt19937_64 random(6);
  edm::Event event;
  edm::Particle muon;
  muon.charge = -1;
  muon.vertex = {0.3, 0.0, 2.0};
  muon.momentum = {0.0, 50.0, 10.0};
  event.particles.push_back(muon);
  event.hits = testing::helix_hits(shared_geometry(), muon, random);
  ReconstructionConfig config = ReconstructionConfig::defaults();
  config.prompt_seeding.max_d0 = 0.5;
  Reconstructor loose(shared_geometry(), config);
  (void)loose.reconstruct(event);
  ASSERT_EQ(event.tracks.size(), 1U);
  const edm::Track& track = event.tracks.front();
  EXPECT_NEAR(track.dxy({}), -0.3, 5.0 * track.dxy_error());
  EXPECT_NEAR(track.dz({}), 2.0, 5.0 * track.dz_error());
  // A 50 GeV track in the pixel barrel: dxy error of tens of micrometres at most.
  EXPECT_GT(track.dxy_error(), 1e-4);
  EXPECT_LT(track.dxy_error(), 50e-4);
}

TEST(Reconstructor, MissingLastHitsAreLostOuterHits) {
  Reconstructor reconstructor(shared_geometry(), ReconstructionConfig::defaults());
  std::mt19937_64 random(7);
  edm::Event event = muon_event(random, 0.3, 0.2);
  ASSERT_GE(event.hits.size(), 9U);
  ASSERT_EQ(event.hits.back().subdetector, edm::Subdetector::kOuterBarrel2S);
  // The muon leaves no hit in the last two 2S layers; the track finder
  // still crosses them and records them as missing.
  const std::size_t kept_hits = event.hits.size() - 2;
  event.hits.resize(kept_hits);
  (void)reconstructor.reconstruct(event);
  ASSERT_EQ(event.tracks.size(), 1U);
  const edm::HitPatternSummary summary = edm::summarize(event.tracks.front().hit_pattern);
  EXPECT_EQ(summary.valid_hits, static_cast<int>(kept_hits));
  EXPECT_EQ(summary.lost_outer_hits, 2);
  EXPECT_EQ(summary.lost_inner_hits, 0);
  EXPECT_EQ(summary.layers_without_measurement, 0);
}

TEST(Reconstructor, InactiveModuleIsInactiveHit) {
  // A geometry with 20 % of its modules off, and a barrel muon that crosses
  // exactly one inactive module between its first and its last hit.
  geometry::Geometry geometry = shared_geometry();
  geometry.set_inactive_modules(0.2, 99);
  Reconstructor reconstructor(geometry, ReconstructionConfig::defaults());
  bool tested = false;
  for (int step = 0; step < 200 && !tested; ++step) {
    const double phi = -3.1 + 0.031 * step;
    edm::Particle muon;
    muon.charge = 1;
    muon.momentum = {5.0 * std::cos(phi), 5.0 * std::sin(phi), 5.0 * std::sinh(0.1)};
    std::mt19937_64 random(static_cast<std::uint64_t>(step));
    // The active-geometry hits give the surfaces crossed; those missing from
    // the inactive-geometry hits lie on inactive modules.
    const auto all_hits = testing::helix_hits(shared_geometry(), muon, random);
    edm::Event event;
    event.particles.push_back(muon);
    event.hits = testing::helix_hits(geometry, muon, random);
    if (all_hits.size() != event.hits.size() + 1 || all_hits.size() < 9 ||
        all_hits.front().layer_id != event.hits.front().layer_id ||
        all_hits.back().layer_id != event.hits.back().layer_id) {
      continue;
    }
    (void)reconstructor.reconstruct(event);
    ASSERT_EQ(event.tracks.size(), 1U) << "muon at phi " << phi;
    const edm::HitPatternSummary summary = edm::summarize(event.tracks.front().hit_pattern);
    EXPECT_EQ(summary.valid_hits, static_cast<int>(event.hits.size()));
    EXPECT_EQ(summary.inactive_hits, 1);
    EXPECT_EQ(summary.layers_without_measurement, 0);
    EXPECT_EQ(summary.lost_hits, 0);
    tested = true;
  }
  EXPECT_TRUE(tested) << "no muon direction crossed exactly one inactive module";
}

TEST(Reconstructor, DisplacedIterationFindsDisplacedMuon) {
  // A 5 GeV muon from (5, 0, 1) cm at azimuth 0.35: dxy = -5 sin(0.35) cm,
  // beyond the prompt seeding's |d0| < 0.1 cm, so only the displaced
  // iteration (seeds from the third pixel layer out) finds it.
  std::mt19937_64 random(8);
  edm::Event event;
  edm::Particle muon;
  muon.charge = 1;
  muon.vertex = {5.0, 0.0, 1.0};
  muon.momentum = {5.0 * std::cos(0.35), 5.0 * std::sin(0.35), 5.0 * std::sinh(0.3)};
  event.particles.push_back(muon);
  event.hits = testing::helix_hits(shared_geometry(), muon, random);
  // Hits on the second and third pixel layers, then (a gap between modules
  // of the fourth) the Outer Tracker.
  ASSERT_GE(event.hits.size(), 8U);
  ASSERT_EQ(event.hits[0].layer, 2);
  ASSERT_EQ(event.hits[1].layer, 3);
  ASSERT_EQ(event.hits[2].subdetector, edm::Subdetector::kOuterBarrelPS);
  Reconstructor reconstructor(shared_geometry(), ReconstructionConfig::defaults());
  const ReconstructionCounters counters = reconstructor.reconstruct(event);
  ASSERT_EQ(event.tracks.size(), 1U);
  const edm::Track& track = event.tracks.front();
  EXPECT_EQ(track.iteration, edm::Iteration::kDisplaced);
  EXPECT_GT(counters.displaced_seeds, 0U);
  // The helix bends by about s^2 / 2R = 0.03 cm over the 5 cm back to the perigee.
  EXPECT_NEAR(track.dxy({}), -5.0 * std::sin(0.35), 0.05);
  // The track starts on the third pixel layer, the first displaced seeding
  // layer. As in the CMS hit pattern, the first two pixel layers, crossed by
  // the helix extrapolated inwards, are lost inner hits although the muon
  // was produced after the first of them.
  const edm::HitPatternSummary summary = edm::summarize(track.hit_pattern);
  EXPECT_EQ(summary.valid_pixel_hits, 1);
  EXPECT_EQ(summary.valid_hits, static_cast<int>(event.hits.size()) - 1);
  EXPECT_EQ(summary.lost_inner_hits, 2);
}

TEST(Reconstructor, DisplacedIterationFindsForwardMuon) {
  // A 3 GeV muon at eta 2.2 from (3.5, 0, 10) cm with dxy = -3.5 sin(0.2) = -0.7 cm:
  // it crosses only pixel disks in the Inner Tracker, so the pixel-disk
  // seeds of the displaced iteration find it.
  std::mt19937_64 random(9);
  edm::Event event;
  edm::Particle muon;
  muon.charge = -1;
  muon.vertex = {3.5, 0.0, 10.0};
  muon.momentum = {3.0 * std::cos(0.2), 3.0 * std::sin(0.2), 3.0 * std::sinh(2.2)};
  event.particles.push_back(muon);
  event.hits = testing::helix_hits(shared_geometry(), muon, random);
  ASSERT_GE(event.hits.size(), 8U);
  ASSERT_NE(event.hits.front().subdetector, edm::Subdetector::kPixelBarrel);
  Reconstructor reconstructor(shared_geometry(), ReconstructionConfig::defaults());
  (void)reconstructor.reconstruct(event);
  ASSERT_EQ(event.tracks.size(), 1U);
  const edm::Track& track = event.tracks.front();
  EXPECT_EQ(track.iteration, edm::Iteration::kDisplaced);
  EXPECT_NEAR(track.dxy({}), -3.5 * std::sin(0.2), 0.05);
  EXPECT_NEAR(track.pt(), 3.0, 0.3);
}

TEST(Reconstructor, RejectsInvalidQualityCuts) {
  ReconstructionConfig config = ReconstructionConfig::defaults();
  config.prompt_finding.max_chi2_per_ndof = 0.0;
  EXPECT_THROW(Reconstructor(shared_geometry(), config), ConfigError);
  config = ReconstructionConfig::defaults();
  config.displaced_seeding.confirmation_hits = 4;  // more than its 3 confirmation surfaces
  EXPECT_THROW(Reconstructor(shared_geometry(), config), ConfigError);
  config = ReconstructionConfig::defaults();
  config.forward_displaced_seeding.max_d0 = -1.0;
  EXPECT_THROW(Reconstructor(shared_geometry(), config), ConfigError);
}

}  // namespace
}  // namespace trackpurity::reco
