#pragma once

#include <cstdint>
#include <string_view>

#include "trackpurity/edm/vector3.hpp"

namespace trackpurity::edm {

// Origin of a particle. Stored in event files: never renumber.
enum class CreationProcess : std::uint8_t {
  kPrimary = 0,     // from the collision itself (including prompt resonance decays)
  kDecay = 1,       // decay of a parent particle in flight (K0S, Lambda, b, c, exotics)
  kConversion = 2,  // photon conversion in detector material
  kHadronic = 3,    // reserved for nuclear interactions
};

std::string_view to_string(CreationProcess process) noexcept;

// A generated particle. Neutral particles are kept so that decay chains
// (b hadron -> K0S -> pi pi) can be followed through parent ids.
struct Particle {
  std::uint32_t id = 0;          // index of the particle within its event
  std::uint32_t collision = 0;   // collision index within the crossing: 0 = signal, >0 = pileup
  std::int32_t pdg_id = 0;       // PDG Monte Carlo code
  std::int32_t charge = 0;       // in units of the elementary charge
  Vector3 vertex;                // production vertex [cm]
  Vector3 momentum;              // momentum at production [GeV]
  std::int32_t parent = -1;      // id of the parent particle, -1 for none
  CreationProcess process = CreationProcess::kPrimary;

  double pt() const noexcept { return momentum.perp(); }
  double eta() const noexcept { return momentum.eta(); }
  double phi() const noexcept { return momentum.phi(); }
  double production_radius() const noexcept { return vertex.perp(); }

  friend bool operator==(const Particle&, const Particle&) = default;
};

}  // namespace trackpurity::edm
