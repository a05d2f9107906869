#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <set>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/sim/particle_gun.hpp"

namespace trackpurity::sim {
namespace {

using namespace unit_literals;

const geometry::Geometry& default_geometry() {
  static const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  return geometry;
}

ParticleGunConfig muons_without_material() {
  ParticleGunConfig config;
  config.pdg_id = pdg::kMuon;
  config.pt_min = 1.0_GeV;
  config.pt_max = 50.0_GeV;
  config.eta_min = -3.5;
  config.eta_max = 3.5;
  config.vertex_sigma_z = 5.0_cm;
  config.vertex_sigma_xy = 10.0_um;
  config.material_effects = false;
  return config;
}

// Distance of `point` from the helix of `particle` (no material): transverse
// distance from the circle, and z distance from the helix at the same turning angle.
struct HelixDistance {
  double transverse = 0.0;
  double longitudinal = 0.0;
};

HelixDistance distance_to_helix(const edm::Particle& particle, const edm::Vector3& point,
                                double field) {
  const double pt = particle.pt();
  const double radius = pt / (constants::kPtPerTeslaCm * field);
  // Turning direction: positive charges clockwise, so the centre is to the right.
  const double sign = particle.charge > 0 ? -1.0 : 1.0;
  const double centre_x = particle.vertex.x - sign * particle.momentum.y / pt * radius;
  const double centre_y = particle.vertex.y + sign * particle.momentum.x / pt * radius;
  const double dx = point.x - centre_x;
  const double dy = point.y - centre_y;
  HelixDistance distance;
  distance.transverse = std::abs(std::hypot(dx, dy) - radius);
  // Turning angle from the vertex to the point, in the direction of motion.
  const double start_angle = std::atan2(particle.vertex.y - centre_y, particle.vertex.x - centre_x);
  double turned = sign * (std::atan2(dy, dx) - start_angle);
  turned = std::fmod(turned + 4.0 * std::numbers::pi, 2.0 * std::numbers::pi);
  const double z = particle.vertex.z + turned * radius * particle.momentum.z / pt;
  distance.longitudinal = std::abs(point.z - z);
  return distance;
}

TEST(ParticleGun, HitsLieOnTrueHelixWithinSmearing) {
  const geometry::Geometry& geometry = default_geometry();
  const ParticleGun gun(geometry, muons_without_material(), 11);
  double sum_pull_u2 = 0.0;
  double sum_pull_v2 = 0.0;
  int hit_count = 0;
  for (std::uint64_t index = 0; index < 1000; ++index) {
    const edm::Event event = gun.generate(index);
    ASSERT_EQ(event.particles.size(), 1U);
    const edm::Particle& muon = event.particles[0];
    for (const edm::Hit& hit : event.hits) {
      ASSERT_EQ(hit.particle, 0);
      const HelixDistance distance = distance_to_helix(muon, hit.true_position, geometry.magnetic_field());
      ASSERT_LT(distance.transverse, 1e-6) << "event " << index;
      ASSERT_LT(distance.longitudinal, 1e-6) << "event " << index;

      // Residuals in the local frame, u along r-phi and v along z or r.
      const double r = hit.true_position.perp();
      double phi_difference = hit.position.phi() - hit.true_position.phi();
      phi_difference = std::remainder(phi_difference, 2.0 * std::numbers::pi);
      const double residual_u = r * phi_difference;
      const geometry::Surface& surface = geometry.surfaces()[hit.layer_id];
      const double residual_v = surface.is_disk() ? hit.position.perp() - r
                                                  : hit.position.z - hit.true_position.z;
      sum_pull_u2 += std::pow(residual_u / hit.sigma_u, 2);
      sum_pull_v2 += std::pow(residual_v / hit.sigma_v, 2);
      ++hit_count;
    }
  }
  ASSERT_GT(hit_count, 8000);
  // RMS pulls: statistical error 1 / sqrt(2 N) < 0.8 %; tolerance 4 %.
  EXPECT_NEAR(std::sqrt(sum_pull_u2 / hit_count), 1.0, 0.04);
  EXPECT_NEAR(std::sqrt(sum_pull_v2 / hit_count), 1.0, 0.04);
}

TEST(ParticleGun, UnsmearedHitsEqualTruePositions) {
  ParticleGunConfig config = muons_without_material();
  config.smear_hits = false;
  const ParticleGun gun(default_geometry(), config, 5);
  const edm::Event event = gun.generate(3);
  ASSERT_FALSE(event.hits.empty());
  for (const edm::Hit& hit : event.hits) {
    EXPECT_EQ(hit.position, hit.true_position);
  }
}

TEST(ParticleGun, CentralMuonCrossesEveryBarrelLayer) {
  ParticleGunConfig config = muons_without_material();
  config.eta_min = 0.1;
  config.eta_max = 0.1;
  config.pt_min = 10.0_GeV;
  config.pt_max = 10.0_GeV;
  config.vertex_sigma_z = 0.0;
  config.apply_hit_efficiency = false;
  geometry::Geometry geometry = default_geometry();
  geometry.set_inactive_modules(0.0, 1);
  const ParticleGun gun(geometry, config, 5);
  const edm::Event event = gun.generate(0);
  // 4 pixel + 3 PS + 3 2S barrel layers.
  EXPECT_EQ(event.hits.size(), 10U);
  std::set<std::uint16_t> layers;
  for (const edm::Hit& hit : event.hits) {
    layers.insert(hit.layer_id);
    EXPECT_TRUE(edm::is_barrel(hit.subdetector));
  }
  EXPECT_EQ(layers.size(), 10U);
}

TEST(ParticleGun, InactiveModulesGiveNoHits) {
  geometry::Geometry geometry = default_geometry();
  geometry.set_inactive_modules(0.3, 99);
  ParticleGunConfig config = muons_without_material();
  config.particles_per_event = 20;
  const ParticleGun gun(geometry, config, 8);
  TransportCounters counters;
  std::size_t hits = 0;
  for (std::uint64_t index = 0; index < 20; ++index) {
    const edm::Event event = gun.generate(index, &counters);
    for (const edm::Hit& hit : event.hits) {
      ASSERT_TRUE(geometry.is_active(hit.module_id)) << "hit in inactive module " << hit.module_id;
      ASSERT_EQ(geometry.surface_of_module(hit.module_id).id, hit.layer_id);
    }
    hits += event.hits.size();
  }
  // About 30 % of the crossings of modules fall on inactive ones.
  const double inactive_share = static_cast<double>(counters.inactive_module_crossings) /
                                static_cast<double>(counters.inactive_module_crossings + hits);
  EXPECT_NEAR(inactive_share, 0.3, 0.05);
}

TEST(ParticleGun, HitsAreOrderedAndNumbered) {
  ParticleGunConfig config = muons_without_material();
  config.particles_per_event = 10;
  const ParticleGun gun(default_geometry(), config, 8);
  const edm::Event event = gun.generate(1);
  for (std::size_t i = 0; i < event.hits.size(); ++i) {
    EXPECT_EQ(event.hits[i].id, i);
    if (i > 0) {
      EXPECT_LE(event.hits[i - 1].module_id, event.hits[i].module_id);
    }
  }
}

TEST(ParticleGun, SameSeedGivesSameEvent) {
  ParticleGunConfig config = muons_without_material();
  config.material_effects = true;
  config.particles_per_event = 5;
  const ParticleGun gun(default_geometry(), config, 21);
  const ParticleGun twin(default_geometry(), config, 21);
  const ParticleGun other(default_geometry(), config, 22);
  EXPECT_EQ(gun.generate(4), twin.generate(4));
  EXPECT_NE(gun.generate(4), gun.generate(5));
  EXPECT_NE(gun.generate(4), other.generate(4));
}

TEST(ParticleGun, K0ShortDecayLengthFollowsExponential) {
  // K0S of p = 1 GeV at eta = 0: beta gamma = 2.01, mean decay radius 5.4 cm,
  // well inside the tracker, so the sample is not truncated.
  ParticleGunConfig config;
  config.pdg_id = pdg::kK0Short;
  config.random_charge = false;
  config.pt_min = 1.0_GeV;
  config.pt_max = 1.0_GeV;
  config.eta_min = 0.0;
  config.eta_max = 0.0;
  const ParticleGun gun(default_geometry(), config, 3);
  const ParticleTable table = ParticleTable::standard();
  const double mass = table.mass(pdg::kK0Short);
  constexpr int kEvents = 20000;
  double sum = 0.0;
  double sum2 = 0.0;
  int decays = 0;
  for (int index = 0; index < kEvents; ++index) {
    const edm::Event event = gun.generate(static_cast<std::uint64_t>(index));
    ASSERT_GE(event.particles.size(), 3U);
    const edm::Particle& daughter = event.particles[1];
    ASSERT_EQ(daughter.parent, 0);
    ASSERT_EQ(daughter.process, edm::CreationProcess::kDecay);
    const double proper_length = daughter.vertex.norm() * mass / 1.0_GeV;
    sum += proper_length;
    sum2 += proper_length * proper_length;
    ++decays;
  }
  const double mean = sum / decays;
  const double standard_error = std::sqrt((sum2 / decays - mean * mean) / decays);
  // Mean of c tau samples within 3 standard errors of the PDG c tau (2.6844 cm).
  EXPECT_NEAR(mean, 2.6844, 3.0 * standard_error);
  // An exponential has standard deviation equal to its mean (10 % tolerance).
  EXPECT_NEAR(std::sqrt(sum2 / decays - mean * mean) / mean, 1.0, 0.1);
}

TEST(ParticleGun, InvalidConfigurationIsRejected) {
  ParticleGunConfig config;
  config.pt_min = 0.0;
  EXPECT_THROW(ParticleGun(default_geometry(), config, 1), ConfigError);
  config = ParticleGunConfig{};
  config.eta_min = 2.0;
  config.eta_max = 1.0;
  EXPECT_THROW(ParticleGun(default_geometry(), config, 1), ConfigError);
  config = ParticleGunConfig{};
  config.particles_per_event = 0;
  EXPECT_THROW(ParticleGun(default_geometry(), config, 1), ConfigError);
  config = ParticleGunConfig{};
  config.phi_min = 1.0;
  config.phi_max = 0.0;
  EXPECT_THROW(ParticleGun(default_geometry(), config, 1), ConfigError);
  config = ParticleGunConfig{};
  config.vertex_sigma_z = -1.0;
  EXPECT_THROW(ParticleGun(default_geometry(), config, 1), ConfigError);
  config = ParticleGunConfig{};
  config.pdg_id = 999999;
  EXPECT_THROW(ParticleGun(default_geometry(), config, 1), ConfigError);
  config = ParticleGunConfig{};
  config.propagator.max_half_turns = 0;
  EXPECT_THROW(ParticleGun(default_geometry(), config, 1), ConfigError);
}

}  // namespace
}  // namespace trackpurity::sim
