#pragma once

#include <span>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/hit.hpp"
#include "trackpurity/edm/track.hpp"
#include "trackpurity/reco/detector.hpp"

namespace trackpurity::reco {

// Predicted chi2 of a measurement: r^T (V + H C H^T)^-1 r.
double predicted_chi2(const BoundState& predicted, const Measurement& measurement) noexcept;

// Kalman update of `predicted` with `measurement` (Joseph form); `chi2`
// receives the filtered chi2 increment.
BoundState kalman_update(const BoundState& predicted, const Measurement& measurement,
                         double& chi2) noexcept;

// Propagates `state` to `target` and adds the multiple scattering of the
// passive material crossed and of the target surface (`target_x_over_x0` at
// normal incidence). Nothing when the target is not reached.
std::optional<Propagation> propagate_with_material(const DetectorModel& detector,
                                                   const BoundState& state,
                                                   const SurfaceFrame& target,
                                                   double target_x_over_x0, double mass,
                                                   Direction direction) noexcept;

struct FitConfig {
  double mass = constants::kPionMass;  // mass hypothesis for multiple scattering [GeV]
  bool material = true;                // add multiple-scattering noise
  // Prior widths of the first state; large, so that the hits alone decide.
  double prior_position = 1.0 * units::cm;
  double prior_angle = 0.1 * units::rad;
  double prior_relative_qop = 0.5;  // relative to |q/p| of the starting parameters
  // Covariance scale of the forward state at the last hit when it seeds the
  // backward filter (CMS KFTrajectorySmoother errorRescaling).
  double smoother_rescaling = 100.0;
};

// A fitted track: smoothed state at the first hit, filtered state at the
// last hit, the state at the perigee of the z axis, and the fit quality.
struct FittedTrack {
  BoundState first;
  BoundState last;
  BoundState perigee;
  double chi2 = 0.0;
  int ndof = 0;  // 2 per valid 2D hit minus the 5 track parameters, at least 0
};

// Kalman filter over `hits` (in order of crossing), a backward filter that
// gives the smoothed state at the first hit, and the extrapolation of that
// state to the perigee. `start` gives the parameters at the first hit (its
// covariance is replaced by the prior). Fails with kFitFailed when a
// propagation or an update fails.
Result<FittedTrack> fit_track(const DetectorModel& detector,
                              std::span<const edm::Hit* const> hits, const Vector6& start,
                              const FitConfig& config);

// Converts a perigee state (d0, z, phi, theta, q/p) into the CMS basis
// (q/p, lambda, phi, dxy, dsz) with its covariance.
void perigee_to_cms(const BoundState& perigee, edm::TrackParameters& parameters,
                    edm::TrackCovariance& covariance) noexcept;

// Layers crossed by the helix of `perigee` before it reaches `first_surface`,
// each as missing (active module) or inactive, inside out.
std::vector<edm::HitPatternEntry> inner_crossings(const DetectorModel& detector,
                                                  const BoundState& perigee,
                                                  std::uint16_t first_surface);

// Fills the parameters, covariance, reference point, charge, fit quality and
// inner and outer momentum of `track` from a fit.
void fill_track(const FittedTrack& fit, edm::Track& track) noexcept;

}  // namespace trackpurity::reco
