#include <gtest/gtest.h>

#include <vector>

#include "trackpurity/truth/association.hpp"

namespace trackpurity::truth {
namespace {

TEST(Association, ExactlyThreeQuartersIsNotGenuine) {
  const std::vector<std::int32_t> hits{7, 7, 7, 3};
  const edm::TrackTruth truth = associate_hits(hits);
  EXPECT_EQ(truth.particle, 7);
  EXPECT_FLOAT_EQ(truth.shared_fraction, 0.75F);
  EXPECT_FALSE(truth.genuine);
}

TEST(Association, FourOfFiveIsGenuine) {
  const std::vector<std::int32_t> hits{2, 2, 9, 2, 2};
  const edm::TrackTruth truth = associate_hits(hits);
  EXPECT_EQ(truth.particle, 2);
  EXPECT_FLOAT_EQ(truth.shared_fraction, 0.8F);
  EXPECT_TRUE(truth.genuine);
}

TEST(Association, ThreeHitTrackNeedsAllThree) {
  EXPECT_TRUE(associate_hits(std::vector<std::int32_t>{4, 4, 4}).genuine);
  EXPECT_FALSE(associate_hits(std::vector<std::int32_t>{4, 4, 5}).genuine);
}

TEST(Association, NoiseHitsMatchNoParticle) {
  const edm::TrackTruth truth = associate_hits(std::vector<std::int32_t>{-1, -1, -1, -1});
  EXPECT_EQ(truth.particle, -1);
  EXPECT_FALSE(truth.genuine);
  EXPECT_EQ(associate_hits(std::vector<std::int32_t>{}).particle, -1);
}

edm::Event event_with_tracks(const std::vector<std::vector<std::int32_t>>& track_hit_particles) {
  edm::Event event;
  for (std::uint32_t id = 0; id < 3; ++id) {
    edm::Particle particle;
    particle.id = id;
    particle.charge = 1;
    particle.collision = id == 2 ? 1 : 0;
    particle.momentum = {2.0, 0.0, 0.5};
    event.particles.push_back(particle);
  }
  for (const auto& particles : track_hit_particles) {
    edm::Track track;
    for (const std::int32_t particle : particles) {
      edm::Hit hit;
      hit.id = static_cast<std::uint32_t>(event.hits.size());
      hit.particle = particle;
      track.hits.push_back(hit.id);
      event.hits.push_back(hit);
    }
    event.tracks.push_back(track);
  }
  return event;
}

TEST(Association, DuplicateFlagsEveryTrackOfParticle) {
  const edm::Event event =
      event_with_tracks({{0, 0, 0, 0}, {0, 0, 0, 0, 1}, {1, 1, 1, 1}, {2, 1, 0, 2}});
  const auto truth = associate(event);
  ASSERT_EQ(truth.size(), 4U);
  EXPECT_TRUE(truth[0].duplicate);
  EXPECT_TRUE(truth[1].duplicate);
  EXPECT_FALSE(truth[2].duplicate);
  EXPECT_FALSE(truth[3].genuine);
  EXPECT_FALSE(truth[3].duplicate);
  const auto counts = matched_track_counts(event, truth);
  EXPECT_EQ(counts[0], 2U);
  EXPECT_EQ(counts[1], 1U);
  EXPECT_EQ(counts[2], 0U);
}

TEST(DisplacedOrigin, FlagsGenuineDisplacedTracks) {
  // Particle 1 is produced 3 cm and particle 2 12 cm from the beam line.
  edm::Event event = event_with_tracks({{0, 0, 0, 0}, {1, 1, 1, 1}, {1, 1, 0, 0}, {2, 2, 2, 2}});
  event.particles[1].vertex = {0.0, 3.0, 1.0};
  event.particles[2].vertex = {12.0, 0.0, 0.0};
  event.track_truth = associate(event);
  EXPECT_EQ(displaced_origin_flags(event, 0.5 * units::cm, 10.0 * units::cm),
            (std::vector<std::uint8_t>{0, 1, 0, 0}));  // track 2 is a fake
  EXPECT_EQ(displaced_origin_flags(event, 0.5 * units::cm, 20.0 * units::cm),
            (std::vector<std::uint8_t>{0, 1, 0, 1}));
  // A truth link outside the particle table counts as no particle.
  event.track_truth[1].particle = 7;
  EXPECT_EQ(displaced_origin_flags(event, 0.5 * units::cm, 10.0 * units::cm),
            (std::vector<std::uint8_t>{0, 0, 0, 0}));
}

TEST(Rates, CountsOfHandMadeEvent) {
  const edm::Event event =
      event_with_tracks({{0, 0, 0, 0}, {0, 0, 0, 0, 1}, {2, 2, 2, 2}, {2, 1, 0, 2}});
  const auto truth = associate(event);
  ParticleSelection selection = efficiency_selection(0.0, 2.4);
  const RateCounts counts = count_rates(event, truth, selection);
  EXPECT_EQ(counts.tracks, 4U);
  EXPECT_EQ(counts.associated_tracks, 3U);
  EXPECT_EQ(counts.duplicate_tracks, 2U);
  EXPECT_EQ(counts.pileup_tracks, 1U);
  EXPECT_EQ(counts.selected_particles, 2U);  // particle 2 is from a pileup collision
  EXPECT_EQ(counts.matched_particles, 1U);
  EXPECT_DOUBLE_EQ(counts.fake_rate(), 0.25);
  EXPECT_DOUBLE_EQ(counts.duplicate_rate(), 0.5);
  EXPECT_DOUBLE_EQ(counts.pileup_rate(), 0.25);
  EXPECT_DOUBLE_EQ(counts.efficiency(), 0.5);
  EXPECT_DOUBLE_EQ(RateCounts{}.fake_rate(), 0.0);
}

TEST(Rates, EarlyDecaysLeaveTheDenominator) {
  edm::Event event = event_with_tracks({});
  edm::Particle daughter;
  daughter.id = 3;
  daughter.parent = 0;
  daughter.process = edm::CreationProcess::kDecay;
  daughter.vertex = {0.05, 0.0, 0.0};
  daughter.charge = 1;
  daughter.momentum = {0.1, 0.0, 0.0};
  event.particles.push_back(daughter);
  const auto flags = decays_inside(event, kEarlyDecayRadius);
  EXPECT_EQ(flags[0], 1U);
  EXPECT_EQ(flags[1], 0U);
  const RateCounts counts = count_rates(event, {}, efficiency_selection(0.0, 2.4));
  EXPECT_EQ(counts.selected_particles, 1U);
}

}  // namespace
}  // namespace trackpurity::truth
