#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/sim/helix.hpp"
#include "trackpurity/sim/random.hpp"

// Transport of one particle through the tracker: exact helix steps from
// surface to surface (sensitive and passive) in the order the particle
// crosses them, with multiple scattering, mean energy loss and photon
// conversions at each crossing.

namespace trackpurity::sim {

struct PropagatorConfig {
  // Multiple scattering and energy loss of charged particles at each crossed
  // surface. Off: charged particles follow the exact helix of their start state.
  bool material_effects = true;
  // Photon conversions in crossed material.
  bool photon_conversions = true;
  // Charged particles below this pT are not followed (typical fast-simulation cut).
  double min_pt = 0.1 * units::GeV;
  // A looper stops after turning this many times by pi in azimuth (estimate:
  // enough to leave the pixel volume twice).
  int max_half_turns = 4;
  // Tracker volume: a particle stops when it leaves r > max_radius or |z| > max_abs_z.
  double max_radius = 120.0 * units::cm;
  double max_abs_z = 300.0 * units::cm;
  // Upper bound of the path-length factor 1 / |cos(incidence)| applied to the
  // material of a surface crossed at grazing incidence (estimate: modules are
  // a few cm wide, so the path in one module is finite).
  double max_incidence_factor = 20.0;

  // Throws ConfigError naming the first invalid member.
  void validate() const;
};

// One crossing of a sensitive or passive surface. Direction and momentum are
// those before the material of the surface acts.
struct SurfaceCrossing {
  std::int32_t surface = -1;  // index in Geometry::surfaces(), -1 for a passive surface
  std::int32_t passive = -1;  // index in Geometry::passive_surfaces(), -1 for a sensitive one
  edm::Vector3 position;      // [cm]
  edm::Vector3 direction;     // unit vector
  double momentum = 0.0;      // [GeV]
  double path = 0.0;          // path length from the start [cm]
  double x_over_x0 = 0.0;     // material crossed at the actual incidence angle
};

// Why the transport of a particle ended.
enum class StopReason : std::uint8_t {
  kLeftVolume,    // left the tracker volume
  kBelowMinPt,    // pT below PropagatorConfig::min_pt (at the start or after energy loss)
  kMaxHalfTurns,  // looper turned PropagatorConfig::max_half_turns times by pi
  kDecayed,       // reached its decay point
  kConverted,     // photon converted in material
  kStopped,       // lost all its kinetic energy
};

std::string_view to_string(StopReason reason) noexcept;

struct PropagationResult {
  StopReason reason = StopReason::kLeftVolume;
  TrackState state;    // state where the transport ended (decay or conversion point)
  double path = 0.0;   // path length travelled [cm]
};

// What the propagator needs to know of the particle besides its state.
struct ParticleKinematics {
  double mass = 0.0;             // [GeV]
  bool is_photon = false;        // converts in material
  bool is_electron = false;      // loses energy by bremsstrahlung
  double decay_path = std::numeric_limits<double>::infinity();  // path length to its decay [cm]
};

class Propagator {
 public:
  // Keeps a reference to `geometry`, which must outlive the propagator.
  Propagator(const geometry::Geometry& geometry, PropagatorConfig config);

  // Transports one particle from `start`, appending each surface crossing to
  // `crossings` in the order they happen. Uses `rng` only for material effects.
  PropagationResult propagate(const TrackState& start, const ParticleKinematics& kinematics,
                              Rng& rng, std::vector<SurfaceCrossing>& crossings) const;

  const PropagatorConfig& config() const noexcept { return config_; }
  double field() const noexcept { return field_; }

 private:
  // A surface as the search sees it: sensitive and passive ones together.
  struct MaterialSurface {
    double radius = 0.0;       // cylinders
    double half_length = 0.0;  // cylinders
    double z = 0.0;            // disks
    double r_min = 0.0;        // disks
    double r_max = 0.0;        // disks
    double x_over_x0 = 0.0;
    std::int32_t surface = -1;
    std::int32_t passive = -1;
  };

  struct NextCrossing {
    double path = std::numeric_limits<double>::infinity();
    const MaterialSurface* surface = nullptr;
    bool is_disk = false;
  };

  NextCrossing find_next_crossing(const TrackState& state, double max_path) const noexcept;
  double path_out_of_volume(const TrackState& state) const noexcept;

  const geometry::Geometry& geometry_;
  PropagatorConfig config_;
  double field_ = 0.0;
  std::vector<MaterialSurface> cylinders_;
  std::vector<MaterialSurface> disks_;  // sorted by z
};

}  // namespace trackpurity::sim
