#include "trackpurity/sim/transport.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "trackpurity/core/units.hpp"
#include "trackpurity/sim/material.hpp"

namespace trackpurity::sim {

namespace {

// A decay closer than this to the production point happens there, without a
// propagation step (the pi0 and its c tau of 25 nm).
constexpr double kPromptDecayPath = 1.0 * units::um;

// Appends a daughter of `parent` made at `vertex`.
void add_daughter(edm::Event& event, const edm::Particle& parent, int pdg_id, int charge,
                  const edm::Vector3& vertex, const edm::Vector3& momentum,
                  edm::CreationProcess process) {
  edm::Particle daughter;
  daughter.id = static_cast<std::uint32_t>(event.particles.size());
  daughter.collision = parent.collision;
  daughter.pdg_id = pdg_id;
  daughter.charge = charge;
  daughter.vertex = vertex;
  daughter.momentum = momentum;
  daughter.parent = static_cast<std::int32_t>(parent.id);
  daughter.process = process;
  event.particles.push_back(daughter);
}

}  // namespace

void TransportCounters::add(const TransportCounters& other) noexcept {
  particles += other.particles;
  propagated += other.propagated;
  crossings += other.crossings;
  hits += other.hits;
  inactive_module_crossings += other.inactive_module_crossings;
  inefficiency_losses += other.inefficiency_losses;
  decays += other.decays;
  conversions += other.conversions;
  loopers_stopped += other.loopers_stopped;
  below_min_pt += other.below_min_pt;
}

Transport::Transport(const geometry::Geometry& geometry, const ParticleTable& particles,
                     const DecayTable& decays, PropagatorConfig propagator,
                     DigitizerConfig digitizer)
    : particles_(particles),
      decays_(decays),
      propagator_(geometry, propagator),
      digitizer_(geometry, digitizer) {}

void Transport::run(edm::Event& event, Rng& rng, TransportCounters* counters) const {
  TransportCounters local;
  std::vector<SurfaceCrossing> crossings;
  crossings.reserve(64);
  std::vector<edm::Hit> hits;
  hits.reserve(event.particles.size() * 8);

  // event.particles grows while the loop runs: copy each particle before use.
  for (std::size_t index = 0; index < event.particles.size(); ++index) {
    const edm::Particle particle = event.particles[index];
    const Species* species = particles_.find(particle.pdg_id);
    if (species == nullptr) {
      continue;  // unknown species (user input) are kept but not transported
    }
    const double mass = species->mass;
    const double momentum = particle.momentum.norm();
    const bool decays = !species->is_stable() && decays_.has(particle.pdg_id);

    ParticleKinematics kinematics;
    kinematics.mass = mass;
    kinematics.is_photon =
        particle.pdg_id == pdg::kPhoton && momentum > 2.0 * constants::kElectronMass;
    kinematics.is_electron = std::abs(particle.pdg_id) == pdg::kElectron;
    if (decays) {
      // Lab decay length: c tau * beta gamma times a unit exponential, with
      // beta gamma from the production momentum.
      kinematics.decay_path = species->ctau * momentum / mass * rng.exponential(1.0);
    }

    // 1. Propagate, or decay in place when the decay is prompt.
    PropagationResult result;
    result.state = make_state(particle.vertex, particle.momentum, particle.charge);
    if (decays && kinematics.decay_path < kPromptDecayPath) {
      result.reason = StopReason::kDecayed;
    } else {
      crossings.clear();
      result = propagator_.propagate(result.state, kinematics, rng, crossings);
      ++local.propagated;
      local.crossings += crossings.size();

      // 2. Hits of the crossings of sensitive surfaces.
      if (particle.charge != 0) {
        for (const SurfaceCrossing& crossing : crossings) {
          if (crossing.surface < 0) {
            continue;
          }
          DigitizeResult digitized =
              digitizer_.digitize(crossing, static_cast<std::int32_t>(particle.id), rng);
          if (digitized.outcome == DigitizeOutcome::kHit) {
            hits.push_back(digitized.hit);
          } else if (digitized.outcome == DigitizeOutcome::kInactiveModule) {
            ++local.inactive_module_crossings;
          } else if (digitized.outcome == DigitizeOutcome::kInefficiency) {
            ++local.inefficiency_losses;
          }
        }
      }
    }

    // 3. Products of the end point.
    const edm::Vector3 end_point = result.state.position;
    switch (result.reason) {
      case StopReason::kDecayed: {
        const auto products =
            decays_.decay(particle.pdg_id, result.state.momentum_vector(), particles_, rng);
        // A pi0 decay is part of the collision (prompt), other decays happen in flight.
        const auto process = particle.pdg_id == pdg::kPi0 ? edm::CreationProcess::kPrimary
                                                          : edm::CreationProcess::kDecay;
        for (const DecayProduct& product : products) {
          add_daughter(event, particle, product.pdg_id, particles_.charge(product.pdg_id),
                       end_point, product.momentum, process);
        }
        ++local.decays;
        break;
      }
      case StopReason::kConverted: {
        // e+ e- along the photon, sharing its energy (opening angle ~ m_e / E neglected).
        const double me = constants::kElectronMass;
        const double energy = result.state.momentum;
        const double available = std::max(energy - 2.0 * me, 0.0);
        const double electron_energy = me + available * sample_conversion_fraction(rng);
        const double positron_energy = energy - electron_energy;
        const edm::Vector3& direction = result.state.direction;
        for (const auto& [code, lepton_energy] :
             {std::pair{pdg::kElectron, electron_energy}, std::pair{-pdg::kElectron, positron_energy}}) {
          const double p = std::sqrt(std::max(lepton_energy * lepton_energy - me * me, 0.0));
          add_daughter(event, particle, code, particles_.charge(code), end_point,
                       {direction.x * p, direction.y * p, direction.z * p},
                       edm::CreationProcess::kConversion);
        }
        ++local.conversions;
        break;
      }
      case StopReason::kMaxHalfTurns:
        ++local.loopers_stopped;
        break;
      case StopReason::kBelowMinPt:
        ++local.below_min_pt;
        break;
      case StopReason::kLeftVolume:
      case StopReason::kStopped:
        break;
    }
  }

  // 4. Order hits by module (as a detector reads them out), numbered from 0.
  std::stable_sort(hits.begin(), hits.end(), [](const edm::Hit& a, const edm::Hit& b) {
    return a.module_id < b.module_id;
  });
  for (std::size_t i = 0; i < hits.size(); ++i) {
    hits[i].id = static_cast<std::uint32_t>(i);
  }
  local.hits = hits.size();
  local.particles = event.particles.size();
  event.hits = std::move(hits);
  if (counters != nullptr) {
    counters->add(local);
  }
}

}  // namespace trackpurity::sim
