#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "helix_hits.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/reco/hit_index.hpp"
#include "trackpurity/reco/reconstruction.hpp"
#include "trackpurity/reco/seeding.hpp"

namespace trackpurity::reco {
namespace {

const geometry::Geometry& shared_geometry() {
  static const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  return geometry;
}

edm::Particle muon(std::uint32_t id, double pt, double phi, double eta, int charge = 1) {
  edm::Particle particle;
  particle.id = id;
  particle.charge = charge;
  particle.momentum = {pt * std::cos(phi), pt * std::sin(phi), pt * std::sinh(eta)};
  return particle;
}

// Random hits spread uniformly over every Inner-Tracker surface, with pixel
// resolutions and no truth link: a dense combinatorial background.
void add_random_pixel_hits(const geometry::Geometry& geometry, std::size_t hits_per_surface,
                           std::mt19937_64& random, std::vector<edm::Hit>& hits) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (const geometry::Surface& surface : geometry.surfaces()) {
    if (!edm::is_inner_tracker(surface.subdetector)) {
      continue;
    }
    for (std::size_t i = 0; i < hits_per_surface; ++i) {
      const double phi = 2.0 * std::numbers::pi * unit(random);
      edm::Hit hit;
      hit.layer_id = surface.id;
      hit.subdetector = surface.subdetector;
      hit.layer = surface.layer;
      hit.sigma_u = 5e-4 * units::cm;
      hit.sigma_v = 20e-4 * units::cm;
      if (surface.is_disk()) {
        const double r = surface.r_min + (surface.r_max - surface.r_min) * unit(random);
        hit.position = {r * std::cos(phi), r * std::sin(phi), surface.z};
      } else {
        const double z = surface.half_length * (2.0 * unit(random) - 1.0);
        hit.position = {surface.radius * std::cos(phi), surface.radius * std::sin(phi), z};
      }
      hit.true_position = hit.position;
      hit.id = static_cast<std::uint32_t>(hits.size());
      hits.push_back(hit);
    }
  }
}

// Hits of `muon_count` 2-20 GeV muons from the origin over |eta| < 2.5, then
// the random background.
std::vector<edm::Hit> dense_event(std::size_t muon_count, std::size_t hits_per_surface,
                                  std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> phi(-std::numbers::pi, std::numbers::pi);
  std::uniform_real_distribution<double> eta(-2.5, 2.5);
  std::uniform_real_distribution<double> pt(2.0, 20.0);
  std::vector<edm::Hit> hits;
  for (std::size_t i = 0; i < muon_count; ++i) {
    const auto muon_hits = testing::helix_hits(shared_geometry(), muon(static_cast<std::uint32_t>(i),
                                                                       pt(random), phi(random), eta(random)),
                                               random, static_cast<std::uint32_t>(hits.size()));
    hits.insert(hits.end(), muon_hits.begin(), muon_hits.end());
  }
  add_random_pixel_hits(shared_geometry(), hits_per_surface, random, hits);
  return hits;
}

struct SeedingRun {
  std::vector<Seed> seeds;
  SeedingCounters counters;
};

SeedingRun run_seeding(const SeedingConfig& config, const std::vector<edm::Hit>& hits) {
  const DetectorModel detector(shared_geometry());
  HitIndex index(shared_geometry());
  index.build(hits);
  const TripletSeeder seeder(detector, config);
  SeedingRun run;
  run.counters = seeder.find(hits, index, {}, run.seeds);
  return run;
}

// Muons whose three seed hits all come from the muon itself.
std::size_t muons_with_clean_seed(const std::vector<Seed>& seeds, const std::vector<edm::Hit>& hits,
                                  std::size_t muon_count) {
  std::vector<std::uint8_t> seeded(muon_count, 0);
  for (const Seed& seed : seeds) {
    const std::int32_t particle = hits[seed.hits[0]].particle;
    if (particle >= 0 && hits[seed.hits[1]].particle == particle &&
        hits[seed.hits[2]].particle == particle) {
      seeded[static_cast<std::size_t>(particle)] = 1;
    }
  }
  return static_cast<std::size_t>(std::count(seeded.begin(), seeded.end(), 1));
}

TEST(Seeding, ConfirmationRemovesRandomTriplets) {
  // 40 muons in 2,000 random hits per pixel surface (56,000 in all, about
  // the pixel occupancy of a pileup-200 event).
  constexpr std::size_t kMuons = 40;
  const std::vector<edm::Hit> hits = dense_event(kMuons, 2000, 21);

  SeedingConfig triplets_only;
  triplets_only.confirmation_surfaces = 0;
  triplets_only.max_seeds = 1000000;
  const SeedingRun unconfirmed = run_seeding(triplets_only, hits);
  const SeedingRun confirmed = run_seeding(SeedingConfig{}, hits);

  EXPECT_FALSE(confirmed.counters.truncated);
  EXPECT_FALSE(unconfirmed.counters.truncated);
  EXPECT_GT(confirmed.counters.unconfirmed, 0U);
  EXPECT_EQ(unconfirmed.counters.unconfirmed, 0U);
  // Nearly every random triplet lacks a fourth hit; the muons keep theirs.
  EXPECT_LT(confirmed.seeds.size() * 5, unconfirmed.seeds.size());
  EXPECT_GE(muons_with_clean_seed(confirmed.seeds, hits, kMuons), kMuons - 2);
  for (const Seed& seed : confirmed.seeds) {
    EXPECT_GE(seed.chi2, 0.0);
    EXPECT_LE(seed.chi2, SeedingConfig{}.confirmation_max_chi2);
  }
}

TEST(Seeding, MaxSeedsBoundsDenseEvent) {
  const std::vector<edm::Hit> hits = dense_event(10, 2000, 22);
  SeedingConfig config;
  config.confirmation_surfaces = 0;
  config.max_seeds = 50;
  const SeedingRun run = run_seeding(config, hits);
  EXPECT_EQ(run.seeds.size(), 50U);
  EXPECT_TRUE(run.counters.truncated);
}

TEST(Seeding, MaxPairsStopsSearch) {
  const std::vector<edm::Hit> hits = dense_event(10, 2000, 22);
  SeedingConfig config;
  config.max_pairs = 1000;
  const SeedingRun run = run_seeding(config, hits);
  EXPECT_TRUE(run.counters.truncated);
  // The search stops once a first hit finds the bound reached, so the last
  // first hit may add its pairs beyond it.
  EXPECT_GE(run.counters.pairs, 1000U);
  EXPECT_LT(run.counters.pairs, 3000U);
}

TEST(Seeding, ThirdHitsPerPairAreBounded) {
  const std::vector<edm::Hit> hits = dense_event(10, 2000, 23);
  SeedingConfig config;
  config.confirmation_surfaces = 0;
  config.max_seeds_per_pair = 1;
  const SeedingRun run = run_seeding(config, hits);
  ASSERT_FALSE(run.seeds.empty());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (const Seed& seed : run.seeds) {
    pairs.emplace_back(seed.hits[0], seed.hits[1]);
  }
  std::sort(pairs.begin(), pairs.end());
  EXPECT_EQ(std::adjacent_find(pairs.begin(), pairs.end()), pairs.end());
}

TEST(Seeding, DisplacedSeedsSkipBeamLine) {
  // A 5 GeV muon from (5, 0, 1) cm with |d0| = 5 sin(0.35) = 1.7 cm: the
  // displaced seeder finds it, the prompt seeder (|d0| < 0.1 cm) does not.
  std::mt19937_64 random(24);
  edm::Particle particle = muon(0, 5.0, 0.35, 0.3);
  particle.vertex = {5.0, 0.0, 1.0};
  const std::vector<edm::Hit> hits = testing::helix_hits(shared_geometry(), particle, random);
  const ReconstructionConfig config = ReconstructionConfig::defaults();

  const SeedingRun prompt = run_seeding(config.prompt_seeding, hits);
  const SeedingRun displaced = run_seeding(config.displaced_seeding, hits);
  EXPECT_TRUE(prompt.seeds.empty());
  ASSERT_FALSE(displaced.seeds.empty());
  for (const Seed& seed : displaced.seeds) {
    EXPECT_GE(hits[seed.hits[0]].position.perp(), 10.0 * units::cm);
  }
}

TEST(Seeding, RejectsInvalidConfiguration) {
  const DetectorModel detector(shared_geometry());
  SeedingConfig config;
  config.confirmation_hits = 3;  // more than confirmation_surfaces = 2
  EXPECT_THROW(TripletSeeder(detector, config), ConfigError);
  config = SeedingConfig{};
  config.confirmation_surfaces = -1;
  EXPECT_THROW(TripletSeeder(detector, config), ConfigError);
  config = SeedingConfig{};
  config.confirmation_max_chi2 = 0.0;
  EXPECT_THROW(TripletSeeder(detector, config), ConfigError);
  config = SeedingConfig{};
  config.max_seeds = 0;
  EXPECT_THROW(TripletSeeder(detector, config), ConfigError);
  config = SeedingConfig{};
  config.max_pairs = 0;
  EXPECT_THROW(TripletSeeder(detector, config), ConfigError);
  config = SeedingConfig{};
  config.max_seeds_per_pair = 0;
  EXPECT_THROW(TripletSeeder(detector, config), ConfigError);
  // Without confirmation surfaces the hit count is not used.
  config = SeedingConfig{};
  config.confirmation_surfaces = 0;
  EXPECT_NO_THROW(TripletSeeder(detector, config));
}

}  // namespace
}  // namespace trackpurity::reco
