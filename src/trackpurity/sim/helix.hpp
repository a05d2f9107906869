#pragma once

#include <optional>

#include "trackpurity/edm/vector3.hpp"

// Exact helix transport in a uniform magnetic field along +z. All path
// lengths are 3D arc lengths [cm]; a neutral particle (or zero field) moves
// on a straight line.

namespace trackpurity::sim {

// Position, unit direction and momentum magnitude of a particle.
struct TrackState {
  edm::Vector3 position;   // [cm]
  edm::Vector3 direction;  // unit vector
  double momentum = 0.0;   // |p| [GeV]
  int charge = 0;          // [e]

  edm::Vector3 momentum_vector() const noexcept {
    return {direction.x * momentum, direction.y * momentum, direction.z * momentum};
  }
  double pt() const noexcept { return momentum * direction.perp(); }
};

// State from a position and a momentum vector.
TrackState make_state(const edm::Vector3& position, const edm::Vector3& momentum, int charge) noexcept;

// Rate of turn of the momentum azimuth per unit 3D path length [rad/cm]:
// -q * 0.299792458e-2 * B / p. Positive charges turn clockwise seen from +z
// when B > 0; zero for neutral particles.
double curvature(const TrackState& state, double field) noexcept;

// The state after moving `path` along the helix (exact, any path length).
TrackState advance(const TrackState& state, double path, double field) noexcept;

// Path length (> min_path) to the next crossing of the cylinder of `radius`
// around the z axis within |z| <= half_length, or nothing. Later turns of a
// looper count: the first turn whose crossing lies within the z range is returned.
std::optional<double> path_to_cylinder(const TrackState& state, double field, double radius,
                                       double half_length, double min_path) noexcept;

// Path length (> min_path) to the plane at `z`, or nothing when the particle
// moves away from it or parallel to it.
std::optional<double> path_to_plane(const TrackState& state, double z, double min_path) noexcept;

// Path length (> min_path) to the disk at `z` with r_min <= r <= r_max, or nothing.
std::optional<double> path_to_disk(const TrackState& state, double field, double z, double r_min,
                                   double r_max, double min_path) noexcept;

}  // namespace trackpurity::sim
