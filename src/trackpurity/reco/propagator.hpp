#pragma once

#include <cstdint>
#include <optional>

#include <Eigen/Core>

#include "trackpurity/edm/vector3.hpp"

// Helix propagation in a uniform solenoid field along +z, between surfaces
// that are cylinders around the z axis, planes of constant z (disks), or the
// perigee surface of the z axis, with the transport Jacobian of the bound
// parameters.
namespace trackpurity::reco {

using Vector5 = Eigen::Matrix<double, 5, 1>;
using Matrix5 = Eigen::Matrix<double, 5, 5>;
using Vector6 = Eigen::Matrix<double, 6, 1>;
using Matrix6 = Eigen::Matrix<double, 6, 6>;
using Matrix65 = Eigen::Matrix<double, 6, 5>;
using Matrix56 = Eigen::Matrix<double, 5, 6>;

// Bound parameters on a surface: two local coordinates, then the direction
// angles and q/p. Local coordinates: cylinder (R * phi_position, z), disk
// (x, y), perigee (signed transverse impact parameter, z).
enum BoundIndex : std::uint8_t {
  eLoc0 = 0,
  eLoc1 = 1,
  eBoundPhi = 2,    // azimuth of the momentum [rad]
  eBoundTheta = 3,  // polar angle of the momentum [rad]
  eBoundQOverP = 4, // [1/GeV]
};

// Free parameters: global position, direction angles and q/p.
enum FreeIndex : std::uint8_t {
  eFreeX = 0,
  eFreeY = 1,
  eFreeZ = 2,
  eFreePhi = 3,
  eFreeTheta = 4,
  eFreeQOverP = 5,
};

enum class SurfaceShape : std::uint8_t {
  kCylinder,  // radius around the z axis
  kDisk,      // plane z = const
  kPerigee,   // the point of closest approach to the z axis
};

// The surface a bound state lives on. `surface_id` is the geometry index of a
// sensitive surface, or -1 for the perigee and passive material.
struct SurfaceFrame {
  SurfaceShape shape = SurfaceShape::kPerigee;
  double radius = 0.0;  // cylinder radius [cm]
  double z = 0.0;       // disk position [cm]
  std::int32_t surface_id = -1;
};

struct BoundState {
  SurfaceFrame frame;
  Vector5 parameters = Vector5::Zero();
  Matrix5 covariance = Matrix5::Zero();
};

enum class Direction : std::int8_t { kForward = 1, kBackward = -1 };

// The field constant of a helix: the azimuth of the momentum changes by
// w = -field_constant * (q/p) / sin(theta) per cm of transverse path, with
// field_constant = 0.299792458e-2 GeV/(T cm) * B.
double field_constant(double magnetic_field) noexcept;

Vector6 bound_to_free(const SurfaceFrame& frame, const Vector5& parameters) noexcept;
Vector5 free_to_bound(const SurfaceFrame& frame, const Vector6& free) noexcept;

// Moves a free state along its helix by transverse path length `path` [cm].
Vector6 move_along_helix(const Vector6& free, double path, double field_constant) noexcept;

// Transverse path length from `free` to `frame`, the smallest in the given
// direction (the perigee takes the nearest in either direction). Nothing when
// the helix does not reach the surface (it ignores the surface's extent).
std::optional<double> path_to_surface(const Vector6& free, const SurfaceFrame& frame,
                                      double field_constant, Direction direction) noexcept;

struct Propagation {
  BoundState state;    // on the target surface, covariance transported
  Matrix5 jacobian;    // d(target parameters) / d(start parameters)
  double path = 0.0;   // transverse path length [cm], negative when backward
  Vector6 free;        // free parameters on the target
};

// Propagates `start` to `target`, with the covariance transported by the
// Jacobian. Nothing when the target is not reached. No material effects.
std::optional<Propagation> propagate(const BoundState& start, const SurfaceFrame& target,
                                     double field_constant, Direction direction) noexcept;

// Propagation by a known transverse path length (from path_to_surface).
Propagation propagate_by(const BoundState& start, const Vector6& start_free,
                         const SurfaceFrame& target, double path,
                         double field_constant) noexcept;

// Momentum vector [GeV] and position [cm] of free parameters.
edm::Vector3 free_position(const Vector6& free) noexcept;
edm::Vector3 free_momentum(const Vector6& free) noexcept;

// Free parameters of a particle of charge `charge` at `position` with `momentum`.
Vector6 free_from_momentum(const edm::Vector3& position, const edm::Vector3& momentum,
                           int charge) noexcept;

}  // namespace trackpurity::reco
