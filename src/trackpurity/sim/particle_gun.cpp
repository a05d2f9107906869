#include "trackpurity/sim/particle_gun.hpp"

#include <cmath>
#include <string>

#include "trackpurity/core/error.hpp"
#include "trackpurity/sim/random.hpp"

namespace trackpurity::sim {

namespace {

PropagatorConfig gun_propagator(const ParticleGunConfig& config) {
  PropagatorConfig propagator = config.propagator;
  propagator.material_effects = config.material_effects;
  propagator.photon_conversions = config.material_effects;
  return propagator;
}

}  // namespace

void ParticleGunConfig::validate() const {
  if (particles_per_event < 1) {
    throw ConfigError("particle gun particles_per_event must be >= 1, found " +
                      std::to_string(particles_per_event));
  }
  if (!(pt_min > 0.0) || !(pt_max >= pt_min)) {
    throw ConfigError("particle gun needs 0 < pt_min <= pt_max, found pt_min = " +
                      std::to_string(pt_min) + " GeV, pt_max = " + std::to_string(pt_max) + " GeV");
  }
  if (!(eta_max >= eta_min) || !std::isfinite(eta_min) || !std::isfinite(eta_max)) {
    throw ConfigError("particle gun needs finite eta_min <= eta_max, found " +
                      std::to_string(eta_min) + " and " + std::to_string(eta_max));
  }
  if (!(phi_max >= phi_min)) {
    throw ConfigError("particle gun needs phi_min <= phi_max, found " + std::to_string(phi_min) +
                      " and " + std::to_string(phi_max));
  }
  if (!(vertex_sigma_xy >= 0.0) || !(vertex_sigma_z >= 0.0)) {
    throw ConfigError("particle gun vertex spreads must be >= 0");
  }
  propagator.validate();
}

ParticleGun::ParticleGun(const geometry::Geometry& geometry, ParticleGunConfig config,
                         std::uint64_t run_seed)
    : config_((config.validate(), config)),
      run_seed_(run_seed),
      particles_(ParticleTable::standard()),
      decays_(DecayTable::standard()),
      transport_(geometry, particles_, decays_, gun_propagator(config_),
                 DigitizerConfig{config_.smear_hits, config_.apply_hit_efficiency}) {
  if (particles_.find(config_.pdg_id) == nullptr) {
    throw ConfigError("particle gun species " + std::to_string(config_.pdg_id) +
                      " is not a known PDG code");
  }
}

edm::Event ParticleGun::generate(std::uint64_t event_index, TransportCounters* counters) const {
  Rng rng(event_seed(run_seed_, event_index));
  edm::Event event;
  event.number = event_index;
  event.collisions = 1;
  event.beam_spot.position = config_.vertex;
  event.beam_spot.sigma_x = config_.vertex_sigma_xy;
  event.beam_spot.sigma_y = config_.vertex_sigma_xy;
  event.beam_spot.sigma_z = config_.vertex_sigma_z;

  for (int i = 0; i < config_.particles_per_event; ++i) {
    double pt = rng.uniform(config_.pt_min, config_.pt_max);
    if (config_.uniform_in_inverse_pt) {
      pt = 1.0 / rng.uniform(1.0 / config_.pt_max, 1.0 / config_.pt_min);
    }
    const double eta = rng.uniform(config_.eta_min, config_.eta_max);
    const double phi = rng.uniform(config_.phi_min, config_.phi_max);
    int code = config_.pdg_id;
    if (config_.random_charge && rng.accept(0.5)) {
      code = particles_.conjugate(code);
    }

    edm::Particle particle;
    particle.id = static_cast<std::uint32_t>(event.particles.size());
    particle.collision = 0;
    particle.pdg_id = code;
    particle.charge = particles_.charge(code);
    particle.vertex = {config_.vertex.x + config_.vertex_sigma_xy * rng.gaussian(),
                       config_.vertex.y + config_.vertex_sigma_xy * rng.gaussian(),
                       config_.vertex.z + config_.vertex_sigma_z * rng.gaussian()};
    particle.momentum = {pt * std::cos(phi), pt * std::sin(phi), pt * std::sinh(eta)};
    particle.process = edm::CreationProcess::kPrimary;
    event.particles.push_back(particle);
  }
  transport_.run(event, rng, counters);
  return event;
}

}  // namespace trackpurity::sim
