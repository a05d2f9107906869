#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "trackpurity/core/units.hpp"
#include "trackpurity/reco/material.hpp"
#include "trackpurity/reco/propagator.hpp"

namespace trackpurity::reco {
namespace {

constexpr double kField = 3.8;

BoundState state_on_cylinder(double radius, double phi_position, double z, double phi,
                             double theta, double qop) {
  BoundState state;
  state.frame.shape = SurfaceShape::kCylinder;
  state.frame.radius = radius;
  state.parameters << radius * phi_position, z, phi, theta, qop;
  return state;
}

// Central finite differences of the propagated parameters.
Matrix5 numerical_jacobian(const BoundState& start, const SurfaceFrame& target, Direction direction) {
  const double k = field_constant(kField);
  Matrix5 jacobian;
  const Vector5 steps(1e-6, 1e-6, 1e-7, 1e-7, 1e-7);
  for (int column = 0; column < 5; ++column) {
    BoundState plus = start;
    BoundState minus = start;
    plus.parameters[column] += steps[column];
    minus.parameters[column] -= steps[column];
    const auto a = propagate(plus, target, k, direction);
    const auto b = propagate(minus, target, k, direction);
    if (!a || !b) {
      ADD_FAILURE() << "propagation failed for the finite difference of parameter " << column;
      return jacobian;
    }
    jacobian.col(column) = (a->state.parameters - b->state.parameters) / (2.0 * steps[column]);
  }
  return jacobian;
}

void expect_jacobian_matches(const BoundState& start, const SurfaceFrame& target,
                             Direction direction) {
  const auto propagation = propagate(start, target, field_constant(kField), direction);
  ASSERT_TRUE(propagation.has_value());
  const Matrix5 numerical = numerical_jacobian(start, target, direction);
  for (int row = 0; row < 5; ++row) {
    for (int column = 0; column < 5; ++column) {
      const double scale = std::max(1.0, std::abs(numerical(row, column)));
      EXPECT_NEAR(propagation->jacobian(row, column), numerical(row, column), 2e-5 * scale)
          << "row " << row << " column " << column;
    }
  }
}

TEST(Helix, QuarterTurnOfPositiveTrack) {
  // pT = 1 GeV, phi = 0 at the origin: a positive track bends towards -y
  // on a circle of radius rho = pT / (0.299792458e-2 * B).
  const double k = field_constant(kField);
  const double rho = 1.0 / k;
  Vector6 free;
  free << 0.0, 0.0, 0.0, 0.0, std::numbers::pi / 2.0, 1.0;
  const Vector6 moved = move_along_helix(free, rho * std::numbers::pi / 2.0, k);
  EXPECT_NEAR(moved[eFreeX], rho, 1e-9);
  EXPECT_NEAR(moved[eFreeY], -rho, 1e-9);
  EXPECT_NEAR(moved[eFreePhi], -std::numbers::pi / 2.0, 1e-12);
}

TEST(Helix, PathToCylinderFromOrigin) {
  const double k = field_constant(kField);
  const double pt = 0.9;
  const double rho = pt / k;
  Vector6 free;
  free << 0.0, 0.0, 0.0, 0.3, std::numbers::pi / 2.0, -1.0 / pt;
  SurfaceFrame cylinder{SurfaceShape::kCylinder, 50.0, 0.0, 0};
  const auto path = path_to_surface(free, cylinder, k, Direction::kForward);
  ASSERT_TRUE(path.has_value());
  EXPECT_NEAR(*path, 2.0 * rho * std::asin(50.0 / (2.0 * rho)), 1e-9);
  const Vector6 moved = move_along_helix(free, *path, k);
  EXPECT_NEAR(std::hypot(moved[eFreeX], moved[eFreeY]), 50.0, 1e-9);
  // A cylinder beyond the diameter of the circle is never reached.
  cylinder.radius = 2.0 * rho + 1.0;
  EXPECT_FALSE(path_to_surface(free, cylinder, k, Direction::kForward).has_value());
}

TEST(Helix, PerigeeOfDisplacedTrack) {
  const double k = field_constant(kField);
  Vector6 free;
  free << 5.0, 1.0, 3.0, 0.2, 1.0, 0.5;
  const auto path = path_to_surface(free, SurfaceFrame{}, k, Direction::kBackward);
  ASSERT_TRUE(path.has_value());
  const Vector6 perigee = move_along_helix(free, *path, k);
  // At the perigee the transverse momentum is perpendicular to the position.
  EXPECT_NEAR(perigee[eFreeX] * std::cos(perigee[eFreePhi]) +
                  perigee[eFreeY] * std::sin(perigee[eFreePhi]),
              0.0, 1e-9);
}

TEST(Jacobian, CylinderToCylinder) {
  expect_jacobian_matches(state_on_cylinder(3.0, 0.4, 2.0, 0.45, 1.2, 0.8),
                          SurfaceFrame{SurfaceShape::kCylinder, 14.65, 0.0, 3}, Direction::kForward);
}

TEST(Jacobian, CylinderToDisk) {
  expect_jacobian_matches(state_on_cylinder(6.15, -2.0, 15.0, -2.1, 0.3, -0.5),
                          SurfaceFrame{SurfaceShape::kDisk, 0.0, 52.6, 7}, Direction::kForward);
}

TEST(Jacobian, DiskToDisk) {
  BoundState start;
  start.frame = SurfaceFrame{SurfaceShape::kDisk, 0.0, -32.3, 5};
  start.parameters << 4.0, -3.0, -0.6, 2.9, 0.9;
  expect_jacobian_matches(start, SurfaceFrame{SurfaceShape::kDisk, 0.0, -84.2, 9},
                          Direction::kForward);
}

TEST(Jacobian, CylinderToPerigee) {
  expect_jacobian_matches(state_on_cylinder(10.45, 1.0, -5.0, 1.1, 2.0, 0.4), SurfaceFrame{},
                          Direction::kBackward);
}

TEST(Jacobian, HighMomentumCylinderToCylinder) {
  expect_jacobian_matches(state_on_cylinder(23.3, 2.0, 40.0, 2.0, 0.9, 1e-3),
                          SurfaceFrame{SurfaceShape::kCylinder, 108.3, 0.0, 9}, Direction::kForward);
}

TEST(Material, HighlandAngleForOnePercent) {
  // PDG: 13.6 MeV / p * sqrt(0.01) * (1 + 0.038 ln 0.01) = 1.122 mrad at 1 GeV (beta = 1).
  EXPECT_NEAR(highland_angle(1.0 * units::GeV, 0.0, 0.01), 1.1220e-3, 1e-6);
  EXPECT_EQ(highland_angle(1.0 * units::GeV, 0.0, 0.0), 0.0);
}

TEST(Material, ScatteringGrowsWithIncidence) {
  BoundState state = state_on_cylinder(3.0, 0.0, 0.0, 0.0, std::numbers::pi / 2.0, 1.0);
  const Vector6 normal = bound_to_free(state.frame, state.parameters);
  add_multiple_scattering(state, normal, SurfaceShape::kCylinder, 0.01, 0.0);
  const double normal_variance = state.covariance(eBoundTheta, eBoundTheta);
  EXPECT_NEAR(normal_variance, std::pow(1.1220e-3, 2), 1e-9);

  BoundState inclined = state_on_cylinder(3.0, 0.0, 0.0, 0.0, std::numbers::pi / 4.0, 1.0);
  const Vector6 free = bound_to_free(inclined.frame, inclined.parameters);
  add_multiple_scattering(inclined, free, SurfaceShape::kCylinder, 0.01, 0.0);
  EXPECT_GT(inclined.covariance(eBoundTheta, eBoundTheta), normal_variance);
}

}  // namespace
}  // namespace trackpurity::reco

namespace trackpurity::reco {
namespace {

TEST(Jacobian, DiskToCylinderBackward) {
  BoundState start;
  start.frame = SurfaceFrame{SurfaceShape::kDisk, 0.0, 154.8, 35};
  start.parameters << 30.0, 25.0, 0.75, 0.38, 0.157;
  expect_jacobian_matches(start, SurfaceFrame{SurfaceShape::kCylinder, 36.2, 0.0, 5},
                          Direction::kBackward);
}

TEST(Jacobian, CylinderToCylinderBackward) {
  expect_jacobian_matches(state_on_cylinder(51.4, 0.4, 100.0, 0.45, 0.4, 0.157),
                          SurfaceFrame{SurfaceShape::kCylinder, 36.2, 0.0, 5}, Direction::kBackward);
}

}  // namespace
}  // namespace trackpurity::reco
