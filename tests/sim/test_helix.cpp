#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "trackpurity/core/units.hpp"
#include "trackpurity/sim/helix.hpp"

namespace trackpurity::sim {
namespace {

using namespace unit_literals;

constexpr double kField = 3.8;
// Transverse radius of a unit-charge track of pT 1 GeV in 3.8 T [cm].
const double kRadius1GeV = 1.0 / (constants::kPtPerTeslaCm * kField);

TEST(Helix, PositionAfterArcMatchesAnalyticCircle) {
  // A positive particle along +x turns clockwise around the centre (0, -R).
  const double pt = 1.0_GeV;
  const double pz = 0.7_GeV;
  const double p = std::hypot(pt, pz);
  const TrackState start = make_state({0.0, 0.0, 0.0}, {pt, 0.0, pz}, +1);
  for (const double path : {0.5, 10.0, 100.0, 400.0, 2500.0}) {
    const TrackState end = advance(start, path, kField);
    const double transverse_path = path * pt / p;
    const double angle = transverse_path / kRadius1GeV;
    EXPECT_NEAR(end.position.x, kRadius1GeV * std::sin(angle), 1e-6) << "path " << path;
    EXPECT_NEAR(end.position.y, -kRadius1GeV * (1.0 - std::cos(angle)), 1e-6) << "path " << path;
    EXPECT_NEAR(end.position.z, path * pz / p, 1e-9) << "path " << path;
    EXPECT_NEAR(end.direction.x, std::cos(angle) * pt / p, 1e-12);
    EXPECT_NEAR(end.direction.y, -std::sin(angle) * pt / p, 1e-12);
  }
}

TEST(Helix, NegativeChargeTurnsCounterclockwise) {
  const TrackState start = make_state({1.0, 2.0, 3.0}, {0.0, 2.0, 0.0}, -1);
  const double radius = 2.0 * kRadius1GeV;
  const double path = 50.0;
  const double angle = path / radius;
  const TrackState end = advance(start, path, kField);
  // Moving along +y and turning left: the centre is at (x0 - R, y0).
  EXPECT_NEAR(end.position.x, 1.0 - radius * (1.0 - std::cos(angle)), 1e-6);
  EXPECT_NEAR(end.position.y, 2.0 + radius * std::sin(angle), 1e-6);
  EXPECT_NEAR(end.position.z, 3.0, 1e-12);
}

TEST(Helix, StepsComposeToOneStep) {
  const TrackState start = make_state({0.1, -0.2, 5.0}, {0.3, 0.4, -1.2}, +1);
  const TrackState two_steps = advance(advance(start, 13.0, kField), 29.0, kField);
  const TrackState one_step = advance(start, 42.0, kField);
  EXPECT_NEAR(two_steps.position.x, one_step.position.x, 1e-9);
  EXPECT_NEAR(two_steps.position.y, one_step.position.y, 1e-9);
  EXPECT_NEAR(two_steps.position.z, one_step.position.z, 1e-9);
}

TEST(Helix, NeutralMovesStraight) {
  const TrackState start = make_state({1.0, 1.0, 1.0}, {3.0, 4.0, 0.0}, 0);
  const TrackState end = advance(start, 10.0, kField);
  EXPECT_NEAR(end.position.x, 7.0, 1e-12);
  EXPECT_NEAR(end.position.y, 9.0, 1e-12);
  EXPECT_NEAR(end.position.z, 1.0, 1e-12);
}

TEST(Helix, CylinderCrossingFromOriginMatchesChord) {
  // A circle through the origin reaches radius r after turning 2 asin(r / 2R).
  const double pt = 1.0_GeV;
  const double pz = 2.0_GeV;
  const double p = std::hypot(pt, pz);
  const TrackState start = make_state({0.0, 0.0, 0.0}, {0.0, -pt, pz}, -1);
  for (const double radius : {3.0, 23.3, 108.3}) {
    const auto path = path_to_cylinder(start, kField, radius, 1000.0, 0.0);
    ASSERT_TRUE(path.has_value()) << "radius " << radius;
    const double expected = 2.0 * kRadius1GeV * std::asin(radius / (2.0 * kRadius1GeV)) * p / pt;
    EXPECT_NEAR(*path, expected, 1e-7) << "radius " << radius;
    EXPECT_NEAR(advance(start, *path, kField).position.perp(), radius, 1e-7);
  }
}

TEST(Helix, CylinderBeyondReachIsNotCrossed) {
  // pT 0.1 GeV from the origin reaches at most 2R = 17.5 cm.
  const TrackState start = make_state({0.0, 0.0, 0.0}, {0.1, 0.0, 0.0}, +1);
  EXPECT_FALSE(path_to_cylinder(start, kField, 20.0, 100.0, 0.0).has_value());
  EXPECT_TRUE(path_to_cylinder(start, kField, 10.0, 100.0, 0.0).has_value());
}

TEST(Helix, CylinderInsideStartIsCrossedOnTheWayBack) {
  // From r = 10 moving outward, a looper comes back through r = 5.
  const TrackState start = make_state({10.0, 0.0, 0.0}, {0.2, 0.0, 0.0}, +1);
  const auto path = path_to_cylinder(start, kField, 5.0, 100.0, 1e-9);
  ASSERT_TRUE(path.has_value());
  EXPECT_NEAR(advance(start, *path, kField).position.perp(), 5.0, 1e-7);
  EXPECT_GT(*path, 10.0);
}

TEST(Helix, LooperReachesCylinderZRangeOnLaterTurn) {
  // Starts below the cylinder's z range and climbs slowly: the first
  // transverse crossings are at z < -20, a later turn is inside.
  const TrackState start = make_state({0.0, 0.0, -26.0}, {0.2, 0.0, 0.02}, +1);
  const auto path = path_to_cylinder(start, kField, 10.0, 20.0, 0.0);
  ASSERT_TRUE(path.has_value());
  const TrackState end = advance(start, *path, kField);
  EXPECT_NEAR(end.position.perp(), 10.0, 1e-7);
  EXPECT_GE(end.position.z, -20.0);
  EXPECT_LE(end.position.z, 20.0);
  // One turn earlier the crossing was below the range.
  const double period = 2.0 * std::numbers::pi / std::abs(curvature(start, kField));
  EXPECT_LT(advance(start, *path - period, kField).position.z, -20.0);
}

TEST(Helix, StraightLineCylinderCrossing) {
  const TrackState start = make_state({-5.0, 1.0, 0.0}, {1.0, 0.0, 0.0}, 0);
  const auto path = path_to_cylinder(start, kField, 2.0, 10.0, 0.0);
  ASSERT_TRUE(path.has_value());
  EXPECT_NEAR(*path, 5.0 - std::sqrt(3.0), 1e-12);
  EXPECT_FALSE(path_to_cylinder(start, kField, 0.5, 10.0, 0.0).has_value());
}

TEST(Helix, DiskCrossingInsideAndOutsideRadialRange) {
  const TrackState start = make_state({0.0, 0.0, 0.0}, {1.0, 0.0, 5.0}, +1);
  const auto path = path_to_disk(start, kField, 25.3, 3.0, 16.0, 0.0);
  ASSERT_TRUE(path.has_value());
  const TrackState end = advance(start, *path, kField);
  EXPECT_NEAR(end.position.z, 25.3, 1e-12);
  const double transverse_path = *path / std::sqrt(26.0);
  EXPECT_NEAR(end.position.perp(),
              2.0 * kRadius1GeV * std::sin(transverse_path / (2.0 * kRadius1GeV)), 1e-9);
  // The same plane with a radial range the track misses, and a plane behind it.
  EXPECT_FALSE(path_to_disk(start, kField, 25.3, 6.0, 16.0, 0.0).has_value());
  EXPECT_FALSE(path_to_disk(start, kField, -25.3, 0.0, 16.0, 0.0).has_value());
}

}  // namespace
}  // namespace trackpurity::sim
