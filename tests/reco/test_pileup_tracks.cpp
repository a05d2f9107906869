#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "trackpurity/reco/reconstruction.hpp"
#include "trackpurity/sim/event_simulator.hpp"

namespace trackpurity::reco {
namespace {

// Every track of two simulated pileup-200 events has parameters in their
// domain: |lambda| < pi/2, phi in [-pi, pi], finite positive errors.
TEST(PileupTracks, ParametersStayInTheirDomain) {
  const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  sim::SimulationConfig config;
  config.process = sim::Process::kTtbar;
  config.pileup = 200.0;
  const sim::EventSimulator simulator(geometry, config, 31);
  Reconstructor reconstructor(geometry, ReconstructionConfig::defaults());

  std::size_t tracks = 0;
  for (std::uint64_t index = 0; index < 2; ++index) {
    edm::Event event = simulator.simulate(index);
    (void)reconstructor.reconstruct(event);
    for (const edm::Track& track : event.tracks) {
      ++tracks;
      EXPECT_LT(std::abs(track.parameters[edm::eLambda]), std::numbers::pi / 2.0);
      EXPECT_LE(std::abs(track.parameters[edm::ePhi]), std::numbers::pi);
      EXPECT_GT(track.dz_error(), 0.0);
      EXPECT_GT(track.dxy_error(), 0.0);
      EXPECT_TRUE(std::isfinite(track.eta_error()));
      EXPECT_GE(track.ndof, 1);
    }
  }
  EXPECT_GT(tracks, 3000U);
}

}  // namespace
}  // namespace trackpurity::reco
