#include "trackpurity/reco/propagator.hpp"

#include <cmath>
#include <numbers>

#include "trackpurity/core/units.hpp"

namespace trackpurity::reco {

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// Below this |w * s| the helix functions use their Taylor series.
constexpr double kSeriesLimit = 1e-3;

// Helix azimuth rate w [1/cm] (see field_constant()).
double azimuth_rate(const Vector6& free, double field_constant) noexcept {
  return -field_constant * free[eFreeQOverP] / std::sin(free[eFreeTheta]);
}

double wrap_pi(double angle) noexcept {
  angle = std::remainder(angle, kTwoPi);
  return angle;
}

// The helix functions A(a) = sin(a)/a and B(a) = (1 - cos a)/a and their
// derivatives, stable for small a.
struct HelixFunctions {
  double a_value;
  double b_value;
  double a_derivative;
  double b_derivative;
};

HelixFunctions helix_functions(double a) noexcept {
  if (std::abs(a) < kSeriesLimit) {
    const double a2 = a * a;
    return {1.0 - a2 / 6.0 + a2 * a2 / 120.0, a / 2.0 - a * a2 / 24.0,
            -a / 3.0 + a * a2 / 30.0, 0.5 - a2 / 8.0 + a2 * a2 / 144.0};
  }
  const double s = std::sin(a);
  const double c = std::cos(a);
  return {s / a, (1.0 - c) / a, (a * c - s) / (a * a), (a * s - (1.0 - c)) / (a * a)};
}

// Gradient of the surface condition g(free) = 0 with respect to the free parameters.
Vector6 surface_gradient(const SurfaceFrame& frame, const Vector6& free) noexcept {
  Vector6 gradient = Vector6::Zero();
  switch (frame.shape) {
    case SurfaceShape::kCylinder:
      gradient[eFreeX] = 2.0 * free[eFreeX];
      gradient[eFreeY] = 2.0 * free[eFreeY];
      break;
    case SurfaceShape::kDisk:
      gradient[eFreeZ] = 1.0;
      break;
    case SurfaceShape::kPerigee: {
      // g = x cos(phi) + y sin(phi): the transverse position is perpendicular
      // to the transverse momentum.
      const double c = std::cos(free[eFreePhi]);
      const double s = std::sin(free[eFreePhi]);
      gradient[eFreeX] = c;
      gradient[eFreeY] = s;
      gradient[eFreePhi] = -free[eFreeX] * s + free[eFreeY] * c;
      break;
    }
  }
  return gradient;
}

Matrix65 bound_to_free_jacobian(const SurfaceFrame& frame, const Vector6& free) noexcept {
  Matrix65 jacobian = Matrix65::Zero();
  jacobian(eFreePhi, eBoundPhi) = 1.0;
  jacobian(eFreeTheta, eBoundTheta) = 1.0;
  jacobian(eFreeQOverP, eBoundQOverP) = 1.0;
  switch (frame.shape) {
    case SurfaceShape::kCylinder:
      jacobian(eFreeX, eLoc0) = -free[eFreeY] / frame.radius;
      jacobian(eFreeY, eLoc0) = free[eFreeX] / frame.radius;
      jacobian(eFreeZ, eLoc1) = 1.0;
      break;
    case SurfaceShape::kDisk:
      jacobian(eFreeX, eLoc0) = 1.0;
      jacobian(eFreeY, eLoc1) = 1.0;
      break;
    case SurfaceShape::kPerigee: {
      const double c = std::cos(free[eFreePhi]);
      const double s = std::sin(free[eFreePhi]);
      const double d0 = -free[eFreeX] * s + free[eFreeY] * c;
      jacobian(eFreeX, eLoc0) = -s;
      jacobian(eFreeY, eLoc0) = c;
      jacobian(eFreeX, eBoundPhi) = -d0 * c;
      jacobian(eFreeY, eBoundPhi) = -d0 * s;
      jacobian(eFreeZ, eLoc1) = 1.0;
      break;
    }
  }
  return jacobian;
}

Matrix56 free_to_bound_jacobian(const SurfaceFrame& frame, const Vector6& free) noexcept {
  Matrix56 jacobian = Matrix56::Zero();
  jacobian(eBoundPhi, eFreePhi) = 1.0;
  jacobian(eBoundTheta, eFreeTheta) = 1.0;
  jacobian(eBoundQOverP, eFreeQOverP) = 1.0;
  switch (frame.shape) {
    case SurfaceShape::kCylinder: {
      const double r2 = free[eFreeX] * free[eFreeX] + free[eFreeY] * free[eFreeY];
      jacobian(eLoc0, eFreeX) = -frame.radius * free[eFreeY] / r2;
      jacobian(eLoc0, eFreeY) = frame.radius * free[eFreeX] / r2;
      jacobian(eLoc1, eFreeZ) = 1.0;
      break;
    }
    case SurfaceShape::kDisk:
      jacobian(eLoc0, eFreeX) = 1.0;
      jacobian(eLoc1, eFreeY) = 1.0;
      break;
    case SurfaceShape::kPerigee: {
      const double c = std::cos(free[eFreePhi]);
      const double s = std::sin(free[eFreePhi]);
      jacobian(eLoc0, eFreeX) = -s;
      jacobian(eLoc0, eFreeY) = c;
      jacobian(eLoc0, eFreePhi) = -free[eFreeX] * c - free[eFreeY] * s;
      jacobian(eLoc1, eFreeZ) = 1.0;
      break;
    }
  }
  return jacobian;
}

// d(free after path s) / d(free before), at fixed s.
Matrix6 helix_jacobian(const Vector6& free, double path, double field_constant) noexcept {
  const double w = azimuth_rate(free, field_constant);
  const double phi = free[eFreePhi];
  const double theta = free[eFreeTheta];
  const double c0 = std::cos(phi);
  const double s0 = std::sin(phi);
  const HelixFunctions f = helix_functions(w * path);

  Matrix6 jacobian = Matrix6::Identity();
  jacobian(eFreeX, eFreePhi) = path * (-s0 * f.a_value - c0 * f.b_value);
  jacobian(eFreeY, eFreePhi) = path * (-s0 * f.b_value + c0 * f.a_value);

  // Derivatives through w, which depends on q/p and theta.
  const double dx_dw = path * path * (c0 * f.a_derivative - s0 * f.b_derivative);
  const double dy_dw = path * path * (c0 * f.b_derivative + s0 * f.a_derivative);
  const double dphi_dw = path;
  const double sin_theta = std::sin(theta);
  const double dw_dqop = -field_constant / sin_theta;
  const double dw_dtheta = -w * std::cos(theta) / sin_theta;

  jacobian(eFreeX, eFreeQOverP) = dx_dw * dw_dqop;
  jacobian(eFreeY, eFreeQOverP) = dy_dw * dw_dqop;
  jacobian(eFreePhi, eFreeQOverP) = dphi_dw * dw_dqop;
  jacobian(eFreeX, eFreeTheta) = dx_dw * dw_dtheta;
  jacobian(eFreeY, eFreeTheta) = dy_dw * dw_dtheta;
  jacobian(eFreePhi, eFreeTheta) = dphi_dw * dw_dtheta;
  jacobian(eFreeZ, eFreeTheta) = -path / (sin_theta * sin_theta);
  return jacobian;
}

// d(free) / d(path) at the end point.
Vector6 helix_derivative(const Vector6& free, double field_constant) noexcept {
  Vector6 derivative = Vector6::Zero();
  derivative[eFreeX] = std::cos(free[eFreePhi]);
  derivative[eFreeY] = std::sin(free[eFreePhi]);
  derivative[eFreeZ] = 1.0 / std::tan(free[eFreeTheta]);
  derivative[eFreePhi] = azimuth_rate(free, field_constant);
  return derivative;
}

// Picks the path of a full-turn family s + n * period in the requested direction.
std::optional<double> select_turn(double path, double period, Direction direction) noexcept {
  constexpr double kMinimumPath = 1e-9;  // [cm]: a state already on the surface stays there
  if (direction == Direction::kForward) {
    if (path <= kMinimumPath) {
      if (!std::isfinite(period)) {
        return std::nullopt;
      }
      path += period;
    }
    return path;
  }
  if (path >= -kMinimumPath) {
    if (!std::isfinite(period)) {
      return std::nullopt;
    }
    path -= period;
  }
  return path;
}

std::optional<double> path_to_cylinder(const Vector6& free, double radius, double w,
                                       Direction direction) noexcept {
  const double x0 = free[eFreeX];
  const double y0 = free[eFreeY];
  const double phi0 = free[eFreePhi];
  const double c0 = std::cos(phi0);
  const double s0 = std::sin(phi0);

  // Nearly straight tracks: solve |p0 + s t| = R.
  if (std::abs(w) < 1e-9) {
    const double b = x0 * c0 + y0 * s0;
    const double c = x0 * x0 + y0 * y0 - radius * radius;
    const double discriminant = b * b - c;
    if (discriminant < 0.0) {
      return std::nullopt;
    }
    const double root = std::sqrt(discriminant);
    const double near = direction == Direction::kForward ? -b - root : -b + root;
    const double far = direction == Direction::kForward ? -b + root : -b - root;
    const double sign = static_cast<double>(direction);
    if (near * sign > 1e-9) {
      return near;
    }
    if (far * sign > 1e-9) {
      return far;
    }
    return std::nullopt;
  }

  // Intersections of the helix circle (centre c, radius rho) with the cylinder.
  const double xc = x0 - s0 / w;
  const double yc = y0 + c0 / w;
  const double rho = 1.0 / std::abs(w);
  const double d = std::hypot(xc, yc);
  if (d > radius + rho || d < std::abs(radius - rho) || d == 0.0) {
    return std::nullopt;
  }
  const double along = (radius * radius + (d - rho) * (d + rho)) / (2.0 * d);
  const double across = std::sqrt(std::max(0.0, radius * radius - along * along));
  const double ux = xc / d;
  const double uy = yc / d;

  const double period = kTwoPi / std::abs(w);
  std::optional<double> best;
  for (const double sign : {-1.0, 1.0}) {
    const double px = along * ux - sign * across * uy;
    const double py = along * uy + sign * across * ux;
    // Azimuth of the momentum at that point: sin(phi) = w (x - xc), cos(phi) = -w (y - yc).
    const double phi = std::atan2(w * (px - xc), -w * (py - yc));
    const double path = wrap_pi(phi - phi0) / w;
    const auto candidate = select_turn(path, period, direction);
    if (candidate && (!best || std::abs(*candidate) < std::abs(*best))) {
      best = candidate;
    }
  }
  return best;
}

std::optional<double> path_to_perigee(const Vector6& free, double w) noexcept {
  const double x0 = free[eFreeX];
  const double y0 = free[eFreeY];
  const double phi0 = free[eFreePhi];
  const double c0 = std::cos(phi0);
  const double s0 = std::sin(phi0);
  if (std::abs(w) < 1e-9) {
    return -(x0 * c0 + y0 * s0);
  }
  const double xc = x0 - s0 / w;
  const double yc = y0 + c0 / w;
  const double d = std::hypot(xc, yc);
  if (d == 0.0) {
    return std::nullopt;  // a circle around the axis has no unique closest point
  }
  // The closest point lies on the line from the centre through the axis.
  const double rho = 1.0 / std::abs(w);
  const double px = xc - xc / d * rho;
  const double py = yc - yc / d * rho;
  const double phi = std::atan2(w * (px - xc), -w * (py - yc));
  return wrap_pi(phi - phi0) / w;
}

}  // namespace

double field_constant(double magnetic_field) noexcept {
  return constants::kPtPerTeslaCm * magnetic_field;
}

Vector6 bound_to_free(const SurfaceFrame& frame, const Vector5& parameters) noexcept {
  Vector6 free;
  free[eFreePhi] = parameters[eBoundPhi];
  free[eFreeTheta] = parameters[eBoundTheta];
  free[eFreeQOverP] = parameters[eBoundQOverP];
  switch (frame.shape) {
    case SurfaceShape::kCylinder: {
      const double phi = parameters[eLoc0] / frame.radius;
      free[eFreeX] = frame.radius * std::cos(phi);
      free[eFreeY] = frame.radius * std::sin(phi);
      free[eFreeZ] = parameters[eLoc1];
      break;
    }
    case SurfaceShape::kDisk:
      free[eFreeX] = parameters[eLoc0];
      free[eFreeY] = parameters[eLoc1];
      free[eFreeZ] = frame.z;
      break;
    case SurfaceShape::kPerigee:
      free[eFreeX] = -parameters[eLoc0] * std::sin(parameters[eBoundPhi]);
      free[eFreeY] = parameters[eLoc0] * std::cos(parameters[eBoundPhi]);
      free[eFreeZ] = parameters[eLoc1];
      break;
  }
  return free;
}

Vector5 free_to_bound(const SurfaceFrame& frame, const Vector6& free) noexcept {
  Vector5 parameters;
  parameters[eBoundPhi] = free[eFreePhi];
  parameters[eBoundTheta] = free[eFreeTheta];
  parameters[eBoundQOverP] = free[eFreeQOverP];
  switch (frame.shape) {
    case SurfaceShape::kCylinder:
      parameters[eLoc0] = frame.radius * std::atan2(free[eFreeY], free[eFreeX]);
      parameters[eLoc1] = free[eFreeZ];
      break;
    case SurfaceShape::kDisk:
      parameters[eLoc0] = free[eFreeX];
      parameters[eLoc1] = free[eFreeY];
      break;
    case SurfaceShape::kPerigee:
      parameters[eLoc0] =
          -free[eFreeX] * std::sin(free[eFreePhi]) + free[eFreeY] * std::cos(free[eFreePhi]);
      parameters[eLoc1] = free[eFreeZ];
      break;
  }
  return parameters;
}

Vector6 move_along_helix(const Vector6& free, double path, double field_constant) noexcept {
  const double w = azimuth_rate(free, field_constant);
  const double c0 = std::cos(free[eFreePhi]);
  const double s0 = std::sin(free[eFreePhi]);
  const HelixFunctions f = helix_functions(w * path);
  Vector6 moved = free;
  moved[eFreeX] += path * (c0 * f.a_value - s0 * f.b_value);
  moved[eFreeY] += path * (c0 * f.b_value + s0 * f.a_value);
  moved[eFreeZ] += path / std::tan(free[eFreeTheta]);
  moved[eFreePhi] = wrap_pi(free[eFreePhi] + w * path);
  return moved;
}

std::optional<double> path_to_surface(const Vector6& free, const SurfaceFrame& frame,
                                      double field_constant, Direction direction) noexcept {
  const double w = azimuth_rate(free, field_constant);
  switch (frame.shape) {
    case SurfaceShape::kCylinder:
      return path_to_cylinder(free, frame.radius, w, direction);
    case SurfaceShape::kDisk: {
      const double cot_theta = 1.0 / std::tan(free[eFreeTheta]);
      if (std::abs(cot_theta) < 1e-12) {
        return std::nullopt;
      }
      const double path = (frame.z - free[eFreeZ]) / cot_theta;
      if (path * static_cast<double>(direction) <= 1e-9) {
        return std::nullopt;
      }
      return path;
    }
    case SurfaceShape::kPerigee:
      return path_to_perigee(free, w);
  }
  return std::nullopt;
}

Propagation propagate_by(const BoundState& start, const Vector6& start_free,
                         const SurfaceFrame& target, double path,
                         double field_constant) noexcept {
  Propagation result;
  result.path = path;
  result.free = move_along_helix(start_free, path, field_constant);

  // Jacobian: bound -> free at the start, helix transport at fixed path, the
  // path correction that keeps the end point on the target, free -> bound.
  const Matrix65 to_free = bound_to_free_jacobian(start.frame, start_free);
  const Matrix6 transport = helix_jacobian(start_free, path, field_constant);
  const Vector6 derivative = helix_derivative(result.free, field_constant);
  const Vector6 gradient = surface_gradient(target, result.free);
  const double denominator = gradient.dot(derivative);
  Matrix6 correction = Matrix6::Identity();
  if (std::abs(denominator) > 1e-300) {
    correction -= derivative * gradient.transpose() / denominator;
  }
  const Matrix56 to_bound = free_to_bound_jacobian(target, result.free);
  result.jacobian = to_bound * correction * transport * to_free;

  result.state.frame = target;
  result.state.parameters = free_to_bound(target, result.free);
  result.state.covariance = result.jacobian * start.covariance * result.jacobian.transpose();
  return result;
}

std::optional<Propagation> propagate(const BoundState& start, const SurfaceFrame& target,
                                     double field_constant, Direction direction) noexcept {
  const Vector6 start_free = bound_to_free(start.frame, start.parameters);
  const auto path = path_to_surface(start_free, target, field_constant, direction);
  if (!path) {
    return std::nullopt;
  }
  return propagate_by(start, start_free, target, *path, field_constant);
}

edm::Vector3 free_position(const Vector6& free) noexcept {
  return {free[eFreeX], free[eFreeY], free[eFreeZ]};
}

edm::Vector3 free_momentum(const Vector6& free) noexcept {
  const double p = 1.0 / std::abs(free[eFreeQOverP]);
  const double pt = p * std::sin(free[eFreeTheta]);
  return {pt * std::cos(free[eFreePhi]), pt * std::sin(free[eFreePhi]),
          p * std::cos(free[eFreeTheta])};
}

Vector6 free_from_momentum(const edm::Vector3& position, const edm::Vector3& momentum,
                           int charge) noexcept {
  Vector6 free;
  free[eFreeX] = position.x;
  free[eFreeY] = position.y;
  free[eFreeZ] = position.z;
  free[eFreePhi] = momentum.phi();
  free[eFreeTheta] = std::atan2(momentum.perp(), momentum.z);
  free[eFreeQOverP] = static_cast<double>(charge) / momentum.norm();
  return free;
}

}  // namespace trackpurity::reco
