#include "trackpurity/sim/particle_data.hpp"

#include <cstdlib>
#include <stdexcept>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"

namespace trackpurity::sim {

ParticleTable ParticleTable::standard() {
  using namespace units;
  constexpr double kStable = std::numeric_limits<double>::infinity();

  // Masses and mean proper decay lengths c*tau: PDG Review of Particle Physics 2024.
  // The pi0 (c tau = 25.3 nm) decays where it is made.
  ParticleTable table;
  table.add({pdg::kElectron, "e-", constants::kElectronMass, -1, kStable, false});
  table.add({pdg::kMuon, "mu-", constants::kMuonMass, -1, kStable, false});
  table.add({pdg::kPhoton, "gamma", 0.0, 0, kStable, true});
  table.add({pdg::kPi0, "pi0", 0.1349768 * GeV, 0, 25.3e-7 * cm, true});
  table.add({pdg::kPion, "pi+", constants::kPionMass, +1, kStable, false});
  table.add({pdg::kKaon, "K+", constants::kKaonMass, +1, kStable, false});
  table.add({pdg::kK0Short, "K0S", 0.497611 * GeV, 0, 2.6844 * cm, true});
  table.add({pdg::kProton, "p", constants::kProtonMass, +1, kStable, false});
  table.add({pdg::kNeutron, "n", 0.93956542 * GeV, 0, kStable, false});
  table.add({pdg::kLambda, "Lambda", 1.115683 * GeV, 0, 7.89 * cm, false});
  table.add({pdg::kDPlus, "D+", 1.86966 * GeV, +1, 312.0 * um, false});
  table.add({pdg::kD0, "D0", 1.86484 * GeV, 0, 123.0 * um, false});
  table.add({pdg::kBPlus, "B+", 5.27934 * GeV, +1, 491.0 * um, false});
  table.add({pdg::kB0, "B0", 5.27966 * GeV, 0, 455.0 * um, false});
  table.add({pdg::kLambdaB, "Lambda_b", 5.6196 * GeV, 0, 442.0 * um, false});
  return table;
}

void ParticleTable::add(const Species& species) {
  if (!(species.mass >= 0.0)) {
    throw ConfigError("mass of species " + std::to_string(species.pdg_id) +
                      " must be non-negative, found " + std::to_string(species.mass));
  }
  if (!(species.ctau > 0.0)) {
    throw ConfigError("c*tau of species " + std::to_string(species.pdg_id) +
                      " must be positive, found " + std::to_string(species.ctau));
  }
  for (Species& existing : species_) {
    if (existing.pdg_id == species.pdg_id) {
      existing = species;
      return;
    }
  }
  species_.push_back(species);
}

const Species* ParticleTable::find(int pdg_id) const noexcept {
  const int code = std::abs(pdg_id);
  for (const Species& species : species_) {
    if (species.pdg_id == code) {
      return &species;
    }
  }
  return nullptr;
}

const Species& ParticleTable::at(int pdg_id) const {
  const Species* species = find(pdg_id);
  if (species == nullptr) {
    throw std::out_of_range("unknown PDG code " + std::to_string(pdg_id));
  }
  return *species;
}

int ParticleTable::charge(int pdg_id) const {
  const Species& species = at(pdg_id);
  return pdg_id < 0 ? -species.charge : species.charge;
}

int ParticleTable::conjugate(int pdg_id) const {
  return at(pdg_id).self_conjugate ? pdg_id : -pdg_id;
}

}  // namespace trackpurity::sim
