#pragma once

#include "trackpurity/edm/vector3.hpp"
#include "trackpurity/sim/random.hpp"

// Interactions with thin material layers, all for silicon-like material
// described by its thickness in radiation lengths x/X0.

namespace trackpurity::sim {

namespace silicon {
// PDG "Atomic and nuclear properties of materials": silicon.
inline constexpr double kRadiationLength = 9.370;        // X0 [cm]
inline constexpr double kDensity = 2.329;                // [g/cm^3]
inline constexpr double kZOverA = 0.49848;               // <Z/A> [mol/g]
inline constexpr double kMeanExcitation = 173.0e-9;      // I [GeV]
inline constexpr double kPlasmaEnergy = 31.05e-9;        // hbar omega_p [GeV]
inline constexpr double kMinIonisation = 1.664e-3;       // minimum dE/dx [GeV cm^2/g]
}  // namespace silicon

// Highland width of the projected multiple-scattering angle [rad] (PDG Review,
// "Passage of particles through matter", eq. 34.15):
//   theta0 = 13.6 MeV / (beta c p) * |z| * sqrt(x/X0) * (1 + 0.038 ln(x z^2 / (X0 beta^2))).
// Returns 0 for zero material, zero charge or zero momentum.
double highland_theta0(double momentum, double mass, int charge, double x_over_x0) noexcept;

// Mean ionisation energy loss per unit mass thickness [GeV cm^2/g] in silicon
// from the Bethe formula (PDG eq. 34.5), with the high-energy limit of the
// density-effect correction delta/2 = ln(hbar omega_p / I) + ln(beta gamma) - 1/2
// (clamped at 0) in place of the full Sternheimer parametrisation.
double bethe_mean_loss(double momentum, double mass, int charge) noexcept;

// Mean energy lost [GeV] by a particle crossing x/X0 of silicon: Bethe
// ionisation for muons and hadrons; for electrons the mean bremsstrahlung loss
// E (1 - exp(-x/X0)) (Bethe-Heitler) plus minimum ionisation.
double mean_energy_loss(double energy, double momentum, double mass, int charge,
                        double x_over_x0, bool is_electron) noexcept;

// Turns the unit vector `direction` by two independent Gaussian projected
// angles of width theta0 in the two planes that contain it.
edm::Vector3 scatter_direction(const edm::Vector3& direction, double theta0, Rng& rng) noexcept;

// Probability that a photon converts in x/X0 of material: 1 - exp(-7/9 x/X0)
// (high-energy limit of the pair-production cross section, PDG eq. 34.31).
double conversion_probability(double x_over_x0) noexcept;

// Fraction of the photon energy given to the electron, sampled from the
// complete-screening Bethe-Heitler shape 1 - 4/3 y (1 - y) (PDG eq. 34.31).
double sample_conversion_fraction(Rng& rng) noexcept;

}  // namespace trackpurity::sim
