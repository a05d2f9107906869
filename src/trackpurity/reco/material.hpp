#pragma once

#include "trackpurity/reco/propagator.hpp"

namespace trackpurity::reco {

// RMS plane scattering angle [rad] from the Highland formula with the
// logarithm term of the PDG review ("Passage of particles through matter",
// eq. 34.16): 13.6 MeV / (beta c p) * sqrt(x/X0) * (1 + 0.038 ln(x/X0 / beta^2))
// for a unit charge. `x_over_x0` is the thickness actually traversed.
double highland_angle(double momentum, double mass, double x_over_x0) noexcept;

// Cosine of the angle between the direction of `free` and the normal of a
// cylinder (radial) or disk (z) at the position of `free`.
double incidence_cosine(SurfaceShape shape, const Vector6& free) noexcept;

// Adds the multiple-scattering variance of a layer of `x_over_x0` (at normal
// incidence) to the direction angles of `state`, for the incidence angle of `free`.
void add_multiple_scattering(BoundState& state, const Vector6& free, SurfaceShape shape,
                             double x_over_x0, double mass) noexcept;

}  // namespace trackpurity::reco
