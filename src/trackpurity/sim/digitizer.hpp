#pragma once

#include <cstdint>
#include <optional>

#include "trackpurity/edm/hit.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/sim/propagator.hpp"
#include "trackpurity/sim/random.hpp"

// Hits from the crossings of sensitive surfaces: module lookup, inactive
// modules, hit efficiency and Gaussian smearing in the local frame.

namespace trackpurity::sim {

struct DigitizerConfig {
  // Smear the measured position with the sensor's sigma_u and sigma_v.
  // Off: the measured position is the true crossing point.
  bool smear = true;
  // Drop hits at random with probability 1 - the surface's hit efficiency.
  bool apply_hit_efficiency = true;
};

// Why a crossing of a sensitive surface made no hit.
enum class DigitizeOutcome : std::uint8_t {
  kHit,           // a hit was made
  kNotSensitive,  // the crossing was of a passive surface
  kOutsideModules,  // the point lies outside every module of the surface
  kInactiveModule,  // the module is switched off
  kInefficiency,    // the module missed the hit (hit efficiency)
};

struct DigitizeResult {
  DigitizeOutcome outcome = DigitizeOutcome::kHit;
  edm::Hit hit;  // valid when outcome == kHit; id is left 0 for the caller to number
};

class Digitizer {
 public:
  // Keeps a reference to `geometry`, which must outlive the digitizer.
  Digitizer(const geometry::Geometry& geometry, DigitizerConfig config);

  // The hit that `particle` makes at `crossing`. Local frame: u along r-phi,
  // v along z on cylinders and along r on disks. The measured point stays on
  // the surface: u moves it in azimuth by sigma_u / r, v along z or r.
  DigitizeResult digitize(const SurfaceCrossing& crossing, std::int32_t particle, Rng& rng) const;

  const DigitizerConfig& config() const noexcept { return config_; }

 private:
  const geometry::Geometry& geometry_;
  DigitizerConfig config_;
};

}  // namespace trackpurity::sim
