#pragma once

#include <cstdint>
#include <numbers>

#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/event.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/sim/decays.hpp"
#include "trackpurity/sim/particle_data.hpp"
#include "trackpurity/sim/transport.hpp"

// Single-particle gun: events of a few particles of one species with flat
// pT, eta and phi distributions from a fixed vertex, for fit pulls and
// resolution studies.

namespace trackpurity::sim {

struct ParticleGunConfig {
  int pdg_id = pdg::kMuon;          // species shot (mu- by default)
  bool random_charge = true;        // shoot the particle or its antiparticle at random
  int particles_per_event = 1;
  double pt_min = 1.0 * units::GeV;   // pT uniform in [pt_min, pt_max]
  double pt_max = 100.0 * units::GeV;
  bool uniform_in_inverse_pt = false; // sample 1/pT uniformly instead of pT
  double eta_min = -2.5;
  double eta_max = 2.5;
  double phi_min = -std::numbers::pi;  // phi uniform in [phi_min, phi_max] [rad]
  double phi_max = std::numbers::pi;
  edm::Vector3 vertex;              // mean production vertex [cm]
  double vertex_sigma_xy = 0.0;     // Gaussian spread of x and y around `vertex` [cm]
  double vertex_sigma_z = 0.0;      // Gaussian spread of z [cm]
  // Multiple scattering, energy loss and photon conversions. Off: charged
  // particles follow the exact helix of their production state.
  bool material_effects = true;
  bool smear_hits = true;           // smear hits with the sensor resolutions
  bool apply_hit_efficiency = true; // drop hits by the surfaces' hit efficiencies
  PropagatorConfig propagator;      // material_effects above overrides its switches

  // Throws ConfigError naming the first invalid member.
  void validate() const;
};

class ParticleGun {
 public:
  // Keeps a reference to `geometry`, which must outlive the gun. Throws
  // ConfigError for an invalid configuration or an unknown species.
  ParticleGun(const geometry::Geometry& geometry, ParticleGunConfig config,
              std::uint64_t run_seed);

  // Event `event_index` of the run: the same index and seed give the same event.
  edm::Event generate(std::uint64_t event_index, TransportCounters* counters = nullptr) const;

  const ParticleGunConfig& config() const noexcept { return config_; }

 private:
  ParticleGunConfig config_;
  std::uint64_t run_seed_ = 0;
  ParticleTable particles_;
  DecayTable decays_;
  Transport transport_;
};

}  // namespace trackpurity::sim
