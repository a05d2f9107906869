#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/sim/propagator.hpp"
#include "trackpurity/sim/transport.hpp"

namespace trackpurity::sim {
namespace {

using namespace unit_literals;

const geometry::Geometry& default_geometry() {
  static const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  return geometry;
}

ParticleKinematics muon() {
  ParticleKinematics kinematics;
  kinematics.mass = constants::kMuonMass;
  return kinematics;
}

TEST(Propagator, CrossingsAreOrderedAndOnTheirSurfaces) {
  const geometry::Geometry& geometry = default_geometry();
  const Propagator propagator(geometry, PropagatorConfig{});
  Rng rng(3);
  for (const double eta : {0.0, 0.9, 1.7, 2.4, 3.2, -3.8}) {
    std::vector<SurfaceCrossing> crossings;
    const TrackState start = make_state({0.0, 0.0, 1.0}, {2.0, 1.0, std::hypot(2.0, 1.0) * std::sinh(eta)}, -1);
    const PropagationResult result = propagator.propagate(start, muon(), rng, crossings);
    EXPECT_EQ(result.reason, StopReason::kLeftVolume) << "eta " << eta;
    ASSERT_GE(crossings.size(), 8U) << "eta " << eta;
    for (std::size_t i = 0; i < crossings.size(); ++i) {
      const SurfaceCrossing& crossing = crossings[i];
      if (i > 0) {
        EXPECT_GT(crossing.path, crossings[i - 1].path);
      }
      if (crossing.surface >= 0) {
        const geometry::Surface& surface = geometry.surfaces()[crossing.surface];
        if (surface.is_disk()) {
          EXPECT_NEAR(crossing.position.z, surface.z, 1e-9);
        } else {
          EXPECT_NEAR(crossing.position.perp(), surface.radius, 1e-6);
        }
      }
      EXPECT_GE(crossing.x_over_x0, 0.0);
    }
    // Energy loss lowers the momentum from crossing to crossing.
    EXPECT_LT(crossings.back().momentum, crossings.front().momentum);
  }
}

TEST(Propagator, LooperStopsAfterMaxHalfTurns) {
  PropagatorConfig config;
  config.material_effects = false;
  config.max_half_turns = 3;
  const Propagator propagator(default_geometry(), config);
  Rng rng(3);
  std::vector<SurfaceCrossing> crossings;
  // pT 0.3 GeV: transverse radius 26 cm, turns within the Outer Tracker.
  const TrackState start = make_state({0.0, 0.0, 0.0}, {0.3, 0.0, 0.01}, +1);
  const PropagationResult result = propagator.propagate(start, muon(), rng, crossings);
  EXPECT_EQ(result.reason, StopReason::kMaxHalfTurns);
  const double turned = result.path * std::abs(curvature(start, default_geometry().magnetic_field()));
  EXPECT_NEAR(turned, 3.0 * std::numbers::pi, 1e-9);
}

TEST(Propagator, LowPtParticleIsNotFollowed) {
  const Propagator propagator(default_geometry(), PropagatorConfig{});
  Rng rng(3);
  std::vector<SurfaceCrossing> crossings;
  const TrackState start = make_state({0.0, 0.0, 0.0}, {0.05, 0.0, 1.0}, +1);
  EXPECT_EQ(propagator.propagate(start, muon(), rng, crossings).reason, StopReason::kBelowMinPt);
  EXPECT_TRUE(crossings.empty());
}

TEST(Propagator, DecayPointEndsTransport) {
  const Propagator propagator(default_geometry(), PropagatorConfig{});
  Rng rng(3);
  std::vector<SurfaceCrossing> crossings;
  ParticleKinematics kinematics = muon();
  kinematics.decay_path = 8.0_cm;
  const TrackState start = make_state({0.0, 0.0, 0.0}, {5.0, 0.0, 0.0}, +1);
  const PropagationResult result = propagator.propagate(start, kinematics, rng, crossings);
  EXPECT_EQ(result.reason, StopReason::kDecayed);
  EXPECT_NEAR(result.path, 8.0, 1e-9);
  // Beam pipe, pixel layers 1 and 2 lie before 8 cm.
  EXPECT_EQ(crossings.size(), 3U);
}

TEST(Propagator, PhotonsConvertInMaterial) {
  // x/X0 per crossing is 0.2 % to 6 %: over many photons some convert, and
  // the transport adds an e+ e- pair for each.
  const ParticleTable particles = ParticleTable::standard();
  const DecayTable decays = DecayTable::standard();
  const Transport transport(default_geometry(), particles, decays, PropagatorConfig{},
                            DigitizerConfig{});
  Rng rng(17);
  edm::Event event;
  constexpr int kPhotons = 2000;
  for (int i = 0; i < kPhotons; ++i) {
    edm::Particle photon;
    photon.id = static_cast<std::uint32_t>(i);
    photon.pdg_id = pdg::kPhoton;
    photon.momentum = {5.0 * std::cos(i * 0.1), 5.0 * std::sin(i * 0.1), 1.0};
    event.particles.push_back(photon);
  }
  TransportCounters counters;
  transport.run(event, rng, &counters);
  EXPECT_GT(counters.conversions, 50U);
  EXPECT_EQ(event.particles.size(), kPhotons + 2 * counters.conversions);
  for (std::size_t i = kPhotons; i < event.particles.size(); ++i) {
    const edm::Particle& lepton = event.particles[i];
    EXPECT_EQ(lepton.process, edm::CreationProcess::kConversion);
    EXPECT_EQ(std::abs(lepton.pdg_id), pdg::kElectron);
    EXPECT_GT(lepton.vertex.perp(), 2.0);
  }
  // Photons make no hits themselves.
  for (const edm::Hit& hit : event.hits) {
    EXPECT_GE(hit.particle, kPhotons);
  }
}

TEST(Propagator, InvalidConfigurationIsRejected) {
  PropagatorConfig config;
  config.min_pt = -1.0;
  EXPECT_THROW(Propagator(default_geometry(), config), ConfigError);
  config = PropagatorConfig{};
  config.max_half_turns = 0;
  EXPECT_THROW(Propagator(default_geometry(), config), ConfigError);
  config = PropagatorConfig{};
  config.max_radius = 0.0;
  EXPECT_THROW(Propagator(default_geometry(), config), ConfigError);
  config = PropagatorConfig{};
  config.max_incidence_factor = 0.5;
  EXPECT_THROW(Propagator(default_geometry(), config), ConfigError);
}

}  // namespace
}  // namespace trackpurity::sim
