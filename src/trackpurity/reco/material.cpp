#include "trackpurity/reco/material.hpp"

#include <algorithm>
#include <cmath>

#include "trackpurity/core/units.hpp"

namespace trackpurity::reco {

double highland_angle(double momentum, double mass, double x_over_x0) noexcept {
  if (!(x_over_x0 > 0.0) || !(momentum > 0.0)) {
    return 0.0;
  }
  const double energy = std::hypot(momentum, mass);
  const double beta = momentum / energy;
  const double logarithm_term = 1.0 + 0.038 * std::log(x_over_x0 / (beta * beta));
  return 13.6 * units::MeV / (beta * momentum) * std::sqrt(x_over_x0) *
         std::max(logarithm_term, 0.0);
}

double incidence_cosine(SurfaceShape shape, const Vector6& free) noexcept {
  const double sin_theta = std::sin(free[eFreeTheta]);
  if (shape == SurfaceShape::kDisk) {
    return std::abs(std::cos(free[eFreeTheta]));
  }
  const double r = std::hypot(free[eFreeX], free[eFreeY]);
  if (r == 0.0) {
    return 1.0;
  }
  const double radial = (free[eFreeX] * std::cos(free[eFreePhi]) +
                         free[eFreeY] * std::sin(free[eFreePhi])) / r;
  return std::abs(radial * sin_theta);
}

void add_multiple_scattering(BoundState& state, const Vector6& free, SurfaceShape shape,
                             double x_over_x0, double mass) noexcept {
  // Grazing crossings are capped at 20 times the normal thickness.
  const double cosine = std::max(incidence_cosine(shape, free), 0.05);
  const double momentum = 1.0 / std::abs(free[eFreeQOverP]);
  const double angle = highland_angle(momentum, mass, x_over_x0 / cosine);
  const double variance = angle * angle;
  const double sin_theta = std::sin(free[eFreeTheta]);
  state.covariance(eBoundTheta, eBoundTheta) += variance;
  state.covariance(eBoundPhi, eBoundPhi) += variance / (sin_theta * sin_theta);
}

}  // namespace trackpurity::reco
