#pragma once

#include <map>
#include <vector>

#include "trackpurity/edm/vector3.hpp"
#include "trackpurity/sim/particle_data.hpp"
#include "trackpurity/sim/random.hpp"

// Decays in flight: channels with branching weights, two-body and n-body
// phase-space kinematics in the rest frame, boosted to the lab.

namespace trackpurity::sim {

struct FourMomentum {
  double px = 0.0;
  double py = 0.0;
  double pz = 0.0;
  double e = 0.0;

  edm::Vector3 momentum() const noexcept { return {px, py, pz}; }
};

// Four-momentum of a particle of `mass` with 3-momentum `momentum`.
FourMomentum on_shell(const edm::Vector3& momentum, double mass) noexcept;

// `p` seen in a frame moving with velocity -beta (beta = p_parent / E_parent
// boosts rest-frame momenta of the parent's daughters to the lab).
FourMomentum boost(const FourMomentum& p, const edm::Vector3& beta) noexcept;

// Momentum of either daughter in the rest frame of a two-body decay, 0 below threshold.
double two_body_momentum(double parent_mass, double mass_1, double mass_2) noexcept;

// Lab four-momenta of the daughters of `parent` (mass parent_mass) decaying
// into `masses`, distributed by n-body phase space (isotropic for two bodies):
// Raubold-Lynch sequential two-body decays with weight rejection. Throws
// std::invalid_argument when the daughters are heavier than the parent or
// fewer than two.
std::vector<FourMomentum> phase_space_decay(const FourMomentum& parent, double parent_mass,
                                            const std::vector<double>& masses, Rng& rng);

// One decay channel; daughters are PDG codes for the decay of the particle
// (the antiparticle decays to the conjugates).
struct DecayChannel {
  double weight = 1.0;  // relative branching weight
  std::vector<int> daughters;
};

struct DecayProduct {
  int pdg_id = 0;
  edm::Vector3 momentum;  // lab momentum [GeV]
};

class DecayTable {
 public:
  // Channels of the unstable built-in species. Weights are the PDG 2024
  // branching fractions of the modes listed, renormalised among them; the b
  // hadron channels are representative modes with estimated weights.
  static DecayTable standard();

  // Sets the channels of `pdg_id` (a positive code). Throws ConfigError for
  // an empty list, a non-positive weight or an empty channel.
  void set(int pdg_id, std::vector<DecayChannel> channels);

  bool has(int pdg_id) const noexcept;

  // Picks a channel of `pdg_id` and returns the daughters with lab momenta.
  // Throws std::out_of_range when the species has no channels.
  std::vector<DecayProduct> decay(int pdg_id, const edm::Vector3& momentum,
                                  const ParticleTable& particles, Rng& rng) const;

 private:
  std::map<int, std::vector<DecayChannel>> channels_;
};

}  // namespace trackpurity::sim
