#include "trackpurity/sim/material.hpp"

#include <algorithm>
#include <cmath>

#include "trackpurity/core/units.hpp"

namespace trackpurity::sim {

double highland_theta0(double momentum, double mass, int charge, double x_over_x0) noexcept {
  if (x_over_x0 <= 0.0 || charge == 0 || momentum <= 0.0) {
    return 0.0;
  }
  const double energy = std::hypot(momentum, mass);
  const double beta = momentum / energy;
  const double z2 = static_cast<double>(charge * charge);
  const double log_term = 1.0 + 0.038 * std::log(x_over_x0 * z2 / (beta * beta));
  return 13.6 * units::MeV / (beta * momentum) * std::abs(charge) * std::sqrt(x_over_x0) *
         std::max(log_term, 0.0);
}

double bethe_mean_loss(double momentum, double mass, int charge) noexcept {
  if (charge == 0 || momentum <= 0.0 || mass <= 0.0) {
    return 0.0;
  }
  constexpr double kBetheK = 0.307075e-3;  // 4 pi N_A r_e^2 m_e c^2 [GeV cm^2/mol], PDG
  const double me = constants::kElectronMass;
  const double beta_gamma = momentum / mass;
  const double gamma = std::sqrt(1.0 + beta_gamma * beta_gamma);
  const double beta2 = beta_gamma * beta_gamma / (gamma * gamma);
  const double mass_ratio = me / mass;
  const double t_max = 2.0 * me * beta_gamma * beta_gamma /
                       (1.0 + 2.0 * gamma * mass_ratio + mass_ratio * mass_ratio);
  const double half_delta =
      std::max(0.0, std::log(silicon::kPlasmaEnergy / silicon::kMeanExcitation) +
                        std::log(beta_gamma) - 0.5);
  const double log_argument = 2.0 * me * beta_gamma * beta_gamma * t_max /
                              (silicon::kMeanExcitation * silicon::kMeanExcitation);
  const double bracket = 0.5 * std::log(log_argument) - beta2 - half_delta;
  const double z2 = static_cast<double>(charge * charge);
  return std::max(0.0, kBetheK * z2 * silicon::kZOverA / beta2 * bracket);
}

double mean_energy_loss(double energy, double momentum, double mass, int charge,
                        double x_over_x0, bool is_electron) noexcept {
  const double mass_thickness = x_over_x0 * silicon::kRadiationLength * silicon::kDensity;
  if (is_electron) {
    return energy * (1.0 - std::exp(-x_over_x0)) + silicon::kMinIonisation * mass_thickness;
  }
  return bethe_mean_loss(momentum, mass, charge) * mass_thickness;
}

edm::Vector3 scatter_direction(const edm::Vector3& direction, double theta0, Rng& rng) noexcept {
  const double theta_1 = theta0 * rng.gaussian();
  const double theta_2 = theta0 * rng.gaussian();
  const double theta = std::hypot(theta_1, theta_2);
  if (theta == 0.0) {
    return direction;
  }

  // Orthonormal basis (e1, e2) perpendicular to the direction: e1 along the
  // azimuth, e2 = direction x e1 (x for particles along the z axis).
  const double transverse = direction.perp();
  edm::Vector3 e1{1.0, 0.0, 0.0};
  if (transverse > 1e-12) {
    e1 = {-direction.y / transverse, direction.x / transverse, 0.0};
  }
  const edm::Vector3 e2{direction.y * e1.z - direction.z * e1.y,
                        direction.z * e1.x - direction.x * e1.z,
                        direction.x * e1.y - direction.y * e1.x};

  // Rotate by the space angle theta towards (theta_1 e1 + theta_2 e2) / theta,
  // so that the projected angles are theta_1 and theta_2 for small angles.
  const double cos_t = std::cos(theta);
  const double sin_t = std::sin(theta) / theta;
  edm::Vector3 turned{cos_t * direction.x + sin_t * (theta_1 * e1.x + theta_2 * e2.x),
                      cos_t * direction.y + sin_t * (theta_1 * e1.y + theta_2 * e2.y),
                      cos_t * direction.z + sin_t * (theta_1 * e1.z + theta_2 * e2.z)};
  const double norm = turned.norm();
  return {turned.x / norm, turned.y / norm, turned.z / norm};
}

double conversion_probability(double x_over_x0) noexcept {
  return 1.0 - std::exp(-7.0 / 9.0 * x_over_x0);
}

double sample_conversion_fraction(Rng& rng) noexcept {
  // The shape lies between 2/3 (at y = 1/2) and 1: accept-reject under 1.
  while (true) {
    const double y = rng.uniform();
    if (rng.uniform() < 1.0 - 4.0 / 3.0 * y * (1.0 - y)) {
      return y;
    }
  }
}

}  // namespace trackpurity::sim
