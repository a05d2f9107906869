#include <gtest/gtest.h>

#include <cmath>

#include "trackpurity/edm/track.hpp"

namespace trackpurity::edm {
namespace {

// Reference point (0.1, -0.2, 1.0) cm, momentum (3, 4, 12) GeV: pT = 5, p = 13.
Track make_track() {
  Track track;
  track.reference_point = {0.1, -0.2, 1.0};
  track.parameters = parameters_from_state(track.reference_point, {3.0, 4.0, 12.0}, +1);
  track.charge = +1;
  track.covariance.set(eDxy, eDxy, 1e-4);
  track.covariance.set(eDsz, eDsz, 4e-4);
  track.covariance.set(eLambda, eLambda, 1e-6);
  track.covariance.set(ePhi, ePhi, 2.5e-7);
  return track;
}

TEST(Track, MomentumRoundTripsThroughParameters) {
  const Track track = make_track();
  const Vector3 momentum = track.momentum();
  EXPECT_NEAR(momentum.x, 3.0, 1e-12);
  EXPECT_NEAR(momentum.y, 4.0, 1e-12);
  EXPECT_NEAR(momentum.z, 12.0, 1e-12);
  EXPECT_NEAR(track.pt(), 5.0, 1e-12);
  EXPECT_NEAR(track.p(), 13.0, 1e-12);
  EXPECT_NEAR(track.parameters[eQOverP], 1.0 / 13.0, 1e-15);
}

TEST(Track, EtaMatchesPseudorapidityOfMomentum) {
  const Track track = make_track();
  // eta = asinh(pz / pT) = asinh(2.4)
  EXPECT_NEAR(track.eta(), std::asinh(2.4), 1e-12);
}

TEST(Track, ImpactParametersMatchHandComputedValues) {
  const Track track = make_track();
  const Vector3 point{0.05, 0.02, 0.5};
  // dxy = (-(0.05)*4 + (-0.22)*3) / 5 = -0.172
  EXPECT_NEAR(track.dxy(point), -0.172, 1e-12);
  // dz = 0.5 - ((0.05*3 + (-0.22)*4) / 5) * 12 / 5 = 0.8504
  EXPECT_NEAR(track.dz(point), 0.8504, 1e-12);
}

TEST(Track, ParametersAtOriginEqualImpactParametersToOrigin) {
  const Track track = make_track();
  EXPECT_NEAR(track.parameters[eDxy], track.dxy({}), 1e-12);
  // dsz = dz * pT / p at the origin
  EXPECT_NEAR(track.parameters[eDsz], track.dz({}) * 5.0 / 13.0, 1e-12);
}

TEST(Track, ErrorsFollowCmsDefinitions) {
  const Track track = make_track();
  EXPECT_NEAR(track.dxy_error(), 0.01, 1e-12);
  EXPECT_NEAR(track.dz_error(), 0.02 * 13.0 / 5.0, 1e-12);
  EXPECT_NEAR(track.eta_error(), 1e-3 * 13.0 / 5.0, 1e-12);
  EXPECT_NEAR(track.phi_error(), 5e-4, 1e-12);
}

TEST(Track, NormalizedChi2WithZeroNdofIsScaled) {
  Track track = make_track();
  track.chi2 = 2.5;
  track.ndof = 0;
  EXPECT_DOUBLE_EQ(track.normalized_chi2(), 2.5e6);
  track.ndof = 5;
  EXPECT_DOUBLE_EQ(track.normalized_chi2(), 0.5);
}

TEST(TrackCovariance, SetFillsBothTriangles) {
  TrackCovariance covariance;
  covariance.set(eQOverP, eDxy, 0.25);
  EXPECT_EQ(covariance(eQOverP, eDxy), 0.25);
  EXPECT_EQ(covariance(eDxy, eQOverP), 0.25);
}

}  // namespace
}  // namespace trackpurity::edm
