#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

// Masses, charges and lifetimes of the particle species the simulation makes.

namespace trackpurity::sim {

// Common PDG Monte Carlo codes (particles; the antiparticle is the negative code).
namespace pdg {
inline constexpr int kElectron = 11;
inline constexpr int kMuon = 13;
inline constexpr int kPhoton = 22;
inline constexpr int kPi0 = 111;
inline constexpr int kPion = 211;
inline constexpr int kK0Short = 310;
inline constexpr int kKaon = 321;
inline constexpr int kD0 = 421;
inline constexpr int kDPlus = 411;
inline constexpr int kB0 = 511;
inline constexpr int kBPlus = 521;
inline constexpr int kNeutron = 2112;
inline constexpr int kProton = 2212;
inline constexpr int kLambda = 3122;
inline constexpr int kLambdaB = 5122;
// Generic long-lived exotic (the code of the lightest neutralino, used as a placeholder).
inline constexpr int kExotic = 1000022;
}  // namespace pdg

// A species; `charge` and the code are those of the particle, not the antiparticle.
struct Species {
  int pdg_id = 0;
  std::string name;
  double mass = 0.0;   // [GeV]
  int charge = 0;      // in units of e
  double ctau = std::numeric_limits<double>::infinity();  // mean proper decay length [cm]; infinite when stable
  bool self_conjugate = false;  // its antiparticle is itself (photon, pi0, K0S)

  bool is_stable() const noexcept { return ctau == std::numeric_limits<double>::infinity(); }
};

// The species known to one simulation: the built-in ones (PDG 2024 masses and
// lifetimes) plus any added, such as the exotic of the `displaced` process.
class ParticleTable {
 public:
  // The built-in species.
  static ParticleTable standard();

  // Adds or replaces a species. Throws ConfigError for a non-positive mass or lifetime.
  void add(const Species& species);

  // The species of `pdg_id` or of its antiparticle, or nullptr when unknown.
  const Species* find(int pdg_id) const noexcept;
  // As find(), but throws std::out_of_range for an unknown code.
  const Species& at(int pdg_id) const;

  double mass(int pdg_id) const { return at(pdg_id).mass; }
  // Charge of `pdg_id` itself: the negative code has the opposite charge.
  int charge(int pdg_id) const;
  // The code of the antiparticle: the same code for self-conjugate species.
  int conjugate(int pdg_id) const;

 private:
  std::vector<Species> species_;
};

}  // namespace trackpurity::sim
