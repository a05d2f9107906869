#include "trackpurity/reco/kalman.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <Eigen/LU>

#include "trackpurity/reco/material.hpp"

namespace trackpurity::reco {

namespace {

using Matrix25 = Eigen::Matrix<double, 2, 5>;
using Matrix52 = Eigen::Matrix<double, 5, 2>;

bool is_finite(const BoundState& state) {
  return state.parameters.allFinite() && state.covariance.allFinite();
}

}  // namespace

double predicted_chi2(const BoundState& predicted, const Measurement& measurement) noexcept {
  const Eigen::Vector2d residual = measurement_residual(measurement, predicted.parameters);
  const Eigen::Matrix2d innovation = measurement.covariance + measurement.projection *
                                                                  predicted.covariance *
                                                                  measurement.projection.transpose();
  return residual.dot(innovation.inverse() * residual);
}

BoundState kalman_update(const BoundState& predicted, const Measurement& measurement,
                         double& chi2) noexcept {
  const Matrix25& h = measurement.projection;
  const Eigen::Vector2d residual = measurement_residual(measurement, predicted.parameters);
  const Eigen::Matrix2d innovation =
      measurement.covariance + h * predicted.covariance * h.transpose();
  const Eigen::Matrix2d innovation_inverse = innovation.inverse();
  const Matrix52 gain = predicted.covariance * h.transpose() * innovation_inverse;

  BoundState updated;
  updated.frame = predicted.frame;
  updated.parameters = predicted.parameters + gain * residual;
  const Matrix5 reduction = Matrix5::Identity() - gain * h;
  updated.covariance = reduction * predicted.covariance * reduction.transpose() +
                       gain * measurement.covariance * gain.transpose();
  updated.covariance = 0.5 * (updated.covariance + updated.covariance.transpose());

  const Eigen::Vector2d filtered_residual =
      measurement_residual(measurement, updated.parameters);
  const Eigen::Matrix2d filtered_covariance =
      measurement.covariance - h * updated.covariance * h.transpose();
  chi2 = filtered_residual.dot(filtered_covariance.inverse() * filtered_residual);
  return updated;
}

std::optional<Propagation> propagate_with_material(const DetectorModel& detector,
                                                   const BoundState& state,
                                                   const SurfaceFrame& target,
                                                   double target_x_over_x0, double mass,
                                                   Direction direction) noexcept {
  const Vector6 start_free = bound_to_free(state.frame, state.parameters);
  auto propagation = propagate(state, target, detector.field_constant(), direction);
  if (!propagation) {
    return std::nullopt;
  }
  // NOTE: passive material between the surfaces is added as angular noise at
  // the target; the position spread it causes on the way is neglected.
  const double passive = detector.passive_material(start_free, propagation->free);
  if (passive > 0.0) {
    add_multiple_scattering(propagation->state, propagation->free, SurfaceShape::kDisk,
                            passive * incidence_cosine(SurfaceShape::kDisk, propagation->free),
                            mass);
  }
  if (target_x_over_x0 > 0.0) {
    add_multiple_scattering(propagation->state, propagation->free, target.shape,
                            target_x_over_x0, mass);
  }
  return propagation;
}

Result<FittedTrack> fit_track(const DetectorModel& detector,
                              std::span<const edm::Hit* const> hits, const Vector6& start,
                              const FitConfig& config) {
  if (hits.size() < 3) {
    return Result<FittedTrack>::failure(ErrorCode::kInvalidInput,
                                        "a track fit needs at least 3 hits, found " +
                                            std::to_string(hits.size()));
  }

  // 1. Forward filter, keeping predicted and filtered states and the Jacobians.
  const std::size_t count = hits.size();
  std::vector<BoundState> predicted(count);
  std::vector<BoundState> filtered(count);

  const SurfaceFrame& first_frame = detector.frame(hits.front()->layer_id);
  BoundState prior;
  prior.frame = first_frame;
  prior.parameters = free_to_bound(first_frame, start);
  prior.covariance = Matrix5::Zero();
  const double position_variance = config.prior_position * config.prior_position;
  const double angle_variance = config.prior_angle * config.prior_angle;
  const double qop_sigma = config.prior_relative_qop * std::abs(start[eFreeQOverP]);
  prior.covariance.diagonal() << position_variance, position_variance, angle_variance,
      angle_variance, qop_sigma * qop_sigma;
  predicted[0] = prior;

  double total_chi2 = 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    const edm::Hit& hit = *hits[k];
    const SurfaceFrame& frame = detector.frame(hit.layer_id);
    if (k > 0) {
      const double thickness =
          config.material ? detector.surface(hit.layer_id).x_over_x0 : 0.0;
      std::optional<Propagation> step;
      if (config.material) {
        step = propagate_with_material(detector, filtered[k - 1], frame, thickness, config.mass,
                                       Direction::kForward);
      } else {
        step = propagate(filtered[k - 1], frame, detector.field_constant(), Direction::kForward);
      }
      if (!step) {
        return Result<FittedTrack>::failure(
            ErrorCode::kFitFailed, "propagation to the surface of hit " + std::to_string(hit.id) +
                                       " failed");
      }
      predicted[k] = step->state;
    }
    double chi2 = 0.0;
    filtered[k] = kalman_update(predicted[k], make_measurement(hit, frame), chi2);
    // With a diffuse prior the filtered increments sum to the least-squares
    // chi2 of the hits, with 2 n - 5 degrees of freedom.
    total_chi2 += chi2;
    if (!is_finite(filtered[k])) {
      return Result<FittedTrack>::failure(ErrorCode::kNonFinite,
                                          "the filtered state at hit " + std::to_string(hit.id) +
                                              " is not finite");
    }
  }

  // 2. Smoother: a second filter runs backwards from the last hit. At the
  //    first hit it has used every hit, so its state there is the smoothed
  //    state (two-filter smoother). Unlike the Rauch-Tung-Striebel recursion,
  //    it keeps the covariance positive definite for the small angular errors
  //    of forward tracks. As in the CMS KFTrajectorySmoother, it starts from
  //    the forward state at the last hit with the covariance scaled up by
  //    `smoother_rescaling`, which keeps the linearisation point while making
  //    the double use of the hits negligible.
  BoundState smoothed = filtered[count - 1];
  smoothed.covariance *= config.smoother_rescaling;
  {
    double chi2 = 0.0;
    smoothed = kalman_update(smoothed, make_measurement(*hits[count - 1], smoothed.frame), chi2);
  }
  for (std::size_t k = count - 1; k-- > 0;) {
    const edm::Hit& hit = *hits[k];
    const SurfaceFrame& frame = detector.frame(hit.layer_id);
    // The scattering in surface k + 1 happened before its measurement in the
    // forward direction, so going backwards it comes after it.
    BoundState leaving = smoothed;
    if (config.material) {
      const Vector6 free = bound_to_free(leaving.frame, leaving.parameters);
      add_multiple_scattering(leaving, free, leaving.frame.shape,
                              detector.surface(hits[k + 1]->layer_id).x_over_x0, config.mass);
    }
    auto step = propagate(leaving, frame, detector.field_constant(), Direction::kBackward);
    if (!step) {
      return Result<FittedTrack>::failure(
          ErrorCode::kFitFailed,
          "backward propagation to the surface of hit " + std::to_string(hit.id) + " failed");
    }
    if (config.material) {
      const double passive =
          detector.passive_material(bound_to_free(leaving.frame, leaving.parameters), step->free);
      if (passive > 0.0) {
        add_multiple_scattering(step->state, step->free, SurfaceShape::kDisk,
                                passive * incidence_cosine(SurfaceShape::kDisk, step->free),
                                config.mass);
      }
    }
    double chi2 = 0.0;
    smoothed = kalman_update(step->state, make_measurement(hit, frame), chi2);
  }
  if (!is_finite(smoothed)) {
    return Result<FittedTrack>::failure(ErrorCode::kNonFinite,
                                        "the smoothed state at the first hit is not finite");
  }

  FittedTrack fit;
  fit.first = smoothed;
  fit.last = filtered[count - 1];
  fit.chi2 = total_chi2;
  fit.ndof = std::max(2 * static_cast<int>(count) - 5, 0);

  // 3. Extrapolation to the perigee, through the passive cylinders inside
  //    the first hit (the beam pipe), each adding its scattering where it is.
  BoundState state = smoothed;
  const double first_radius = std::hypot(hits.front()->position.x, hits.front()->position.y);
  std::vector<const geometry::PassiveSurface*> inner_material;
  for (const geometry::PassiveSurface& passive : detector.geometry().passive_surfaces()) {
    if (passive.kind == geometry::SurfaceKind::kCylinder && passive.radius < first_radius) {
      inner_material.push_back(&passive);
    }
  }
  std::sort(inner_material.begin(), inner_material.end(),
            [](const auto* a, const auto* b) { return a->radius > b->radius; });
  if (config.material) {
    for (const geometry::PassiveSurface* passive : inner_material) {
      SurfaceFrame frame;
      frame.shape = SurfaceShape::kCylinder;
      frame.radius = passive->radius;
      const auto step = propagate(state, frame, detector.field_constant(), Direction::kBackward);
      if (!step || std::abs(step->free[eFreeZ]) > passive->half_length) {
        continue;
      }
      state = step->state;
      add_multiple_scattering(state, step->free, SurfaceShape::kCylinder, passive->x_over_x0,
                              config.mass);
    }
  }
  const auto to_perigee =
      propagate(state, SurfaceFrame{}, detector.field_constant(), Direction::kBackward);
  if (!to_perigee) {
    return Result<FittedTrack>::failure(ErrorCode::kFitFailed,
                                        "the track has no point of closest approach to the z axis");
  }
  fit.perigee = to_perigee->state;
  if (!is_finite(fit.perigee)) {
    return Result<FittedTrack>::failure(ErrorCode::kNonFinite, "the perigee state is not finite");
  }
  // The Kalman update does not bound theta; a state that left (0, pi) has no
  // valid CMS lambda = pi/2 - theta and counts as a failed fit.
  const double theta = fit.perigee.parameters[eBoundTheta];
  if (!(theta > 0.0 && theta < std::numbers::pi)) {
    return Result<FittedTrack>::failure(ErrorCode::kFitFailed,
                                        "the fitted theta " + std::to_string(theta) +
                                            " is outside (0, pi)");
  }
  return fit;
}

void perigee_to_cms(const BoundState& perigee, edm::TrackParameters& parameters,
                    edm::TrackCovariance& covariance) noexcept {
  const Vector5& p = perigee.parameters;
  const double theta = p[eBoundTheta];
  parameters[edm::eQOverP] = p[eBoundQOverP];
  parameters[edm::eLambda] = std::numbers::pi / 2.0 - theta;
  parameters[edm::ePhi] = p[eBoundPhi];
  parameters[edm::eDxy] = p[eLoc0];
  parameters[edm::eDsz] = p[eLoc1] * std::sin(theta);

  Matrix5 jacobian = Matrix5::Zero();
  jacobian(edm::eQOverP, eBoundQOverP) = 1.0;
  jacobian(edm::eLambda, eBoundTheta) = -1.0;
  jacobian(edm::ePhi, eBoundPhi) = 1.0;
  jacobian(edm::eDxy, eLoc0) = 1.0;
  jacobian(edm::eDsz, eLoc1) = std::sin(theta);
  jacobian(edm::eDsz, eBoundTheta) = p[eLoc1] * std::cos(theta);
  const Matrix5 cms = jacobian * perigee.covariance * jacobian.transpose();
  for (int row = 0; row < 5; ++row) {
    for (int column = 0; column < 5; ++column) {
      covariance.values[static_cast<std::size_t>(row * 5 + column)] = cms(row, column);
    }
  }
}

std::vector<edm::HitPatternEntry> inner_crossings(const DetectorModel& detector,
                                                  const BoundState& perigee,
                                                  std::uint16_t first_surface) {
  std::vector<edm::HitPatternEntry> crossings;
  Vector6 free = bound_to_free(perigee.frame, perigee.parameters);
  int current = -1;
  // A track crosses at most a few dozen surfaces before its first hit.
  for (int step = 0; step < 64; ++step) {
    const auto crossing = detector.next_crossing(free, current);
    if (!crossing || crossing->surface_id == first_surface) {
      break;
    }
    free = move_along_helix(free, crossing->path, detector.field_constant());
    current = crossing->surface_id;
    const geometry::Surface& surface = detector.surface(crossing->surface_id);
    const auto module = detector.geometry().locate(surface, free_position(free));
    if (!module) {
      continue;
    }
    crossings.push_back({surface.subdetector, surface.layer,
                         module->active ? edm::HitType::kMissing : edm::HitType::kInactive});
  }
  return crossings;
}

void fill_track(const FittedTrack& fit, edm::Track& track) noexcept {
  perigee_to_cms(fit.perigee, track.parameters, track.covariance);
  const Vector6 perigee_free = bound_to_free(fit.perigee.frame, fit.perigee.parameters);
  track.reference_point = free_position(perigee_free);
  track.charge = fit.perigee.parameters[eBoundQOverP] > 0.0 ? 1 : -1;
  track.chi2 = fit.chi2;
  track.ndof = fit.ndof;
  track.inner_momentum = free_momentum(bound_to_free(fit.first.frame, fit.first.parameters));
  track.outer_momentum = free_momentum(bound_to_free(fit.last.frame, fit.last.parameters));
}

}  // namespace trackpurity::reco
