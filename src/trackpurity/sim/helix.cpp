#include "trackpurity/sim/helix.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

#include "trackpurity/core/units.hpp"

namespace trackpurity::sim {

namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// Converts a root u = tan(a / 2) / rho of the crossing equation (a = rho * s,
// the turning angle) into the first path length above min_path that reaches
// the same point: 2 atan(rho u) / rho, plus one turn when that is not ahead.
double path_from_root(double u, double rho, double min_path) noexcept {
  if (rho == 0.0) {
    return 2.0 * u;
  }
  double path = 2.0 * std::atan(rho * u) / rho;
  if (path <= min_path) {
    path += kTwoPi / std::abs(rho);
  }
  return path;
}

}  // namespace

TrackState make_state(const edm::Vector3& position, const edm::Vector3& momentum,
                      int charge) noexcept {
  TrackState state;
  state.position = position;
  state.momentum = momentum.norm();
  state.charge = charge;
  if (state.momentum > 0.0) {
    state.direction = {momentum.x / state.momentum, momentum.y / state.momentum,
                       momentum.z / state.momentum};
  } else {
    state.direction = {0.0, 0.0, 1.0};
  }
  return state;
}

double curvature(const TrackState& state, double field) noexcept {
  if (state.charge == 0 || state.momentum <= 0.0) {
    return 0.0;
  }
  return -state.charge * constants::kPtPerTeslaCm * field / state.momentum;
}

TrackState advance(const TrackState& state, double path, double field) noexcept {
  TrackState next = state;
  const double rho = curvature(state, field);
  const double tx = state.direction.x;
  const double ty = state.direction.y;
  next.position.z = state.position.z + state.direction.z * path;
  if (rho == 0.0) {
    next.position.x = state.position.x + tx * path;
    next.position.y = state.position.y + ty * path;
    return next;
  }
  // x(s) = x0 + (t sin a + n (1 - cos a)) / rho with a = rho s and n = (-ty, tx);
  // 1 - cos a is written 2 sin^2(a/2) to keep its precision for small a.
  const double angle = rho * path;
  const double sin_a = std::sin(angle);
  const double cos_a = std::cos(angle);
  const double half_sin = std::sin(0.5 * angle);
  const double along = sin_a / rho;
  const double across = 2.0 * half_sin * half_sin / rho;
  next.position.x = state.position.x + tx * along - ty * across;
  next.position.y = state.position.y + ty * along + tx * across;
  next.direction.x = tx * cos_a - ty * sin_a;
  next.direction.y = ty * cos_a + tx * sin_a;
  return next;
}

std::optional<double> path_to_cylinder(const TrackState& state, double field, double radius,
                                       double half_length, double min_path) noexcept {
  const double tx = state.direction.x;
  const double ty = state.direction.y;
  const double tz = state.direction.z;
  const double transverse2 = tx * tx + ty * ty;
  if (transverse2 < 1e-24) {
    return std::nullopt;
  }
  const double rho = curvature(state, field);
  const double x0 = state.position.x;
  const double y0 = state.position.y;

  // With w = a / 2 and u = tan(w) / rho, |x_T(s)|^2 = R^2 becomes the quadratic
  //   (c0 rho^2 + 4 Q rho + 4 |t_T|^2) u^2 + 4 P u + c0 = 0,
  // c0 = r0^2 - R^2, P = x0 . t_T, Q = x0 . n. It stays well conditioned as
  // rho -> 0, where it turns into the straight-line equation with u = s / 2.
  const double c0 = x0 * x0 + y0 * y0 - radius * radius;
  const double p_term = x0 * tx + y0 * ty;
  const double q_term = -x0 * ty + y0 * tx;
  const double quadratic = c0 * rho * rho + 4.0 * q_term * rho + 4.0 * transverse2;
  const double linear = 4.0 * p_term;
  const double discriminant = linear * linear - 4.0 * quadratic * c0;
  if (discriminant < 0.0) {
    return std::nullopt;
  }
  const double q = -0.5 * (linear + std::copysign(std::sqrt(discriminant), linear));
  std::array<double, 2> roots{};
  int root_count = 0;
  if (q != 0.0) {
    if (quadratic != 0.0) {
      roots[root_count++] = q / quadratic;
    } else if (rho != 0.0) {
      // The crossing is half a turn away (u infinite).
      roots[root_count++] = std::copysign(std::numeric_limits<double>::infinity(), q * rho);
    }
    roots[root_count++] = c0 / q;
  } else if (quadratic != 0.0 && c0 == 0.0) {
    roots[root_count++] = 0.0;
  }

  // Straight lines have no later turns; helices cross again every 2 pi / |rho|.
  const double period = rho == 0.0 ? 0.0 : kTwoPi / std::abs(rho);
  double best = std::numeric_limits<double>::infinity();
  for (int i = 0; i < root_count; ++i) {
    double path = path_from_root(roots[i], rho, min_path);
    if (!(path > min_path) || !std::isfinite(path)) {
      continue;
    }
    const double z = state.position.z + tz * path;
    if (std::abs(z) > half_length) {
      // The crossing lies outside the cylinder's z range: a looper may reach
      // the range on a later turn; a straight line never does.
      if (period == 0.0 || tz == 0.0) {
        continue;
      }
      const double s_a = (-half_length - state.position.z) / tz;
      const double s_b = (half_length - state.position.z) / tz;
      const double s_low = std::min(s_a, s_b);
      const double s_high = std::max(s_a, s_b);
      if (path > s_high) {
        continue;
      }
      path += std::ceil((s_low - path) / period) * period;
      if (path > s_high) {
        continue;
      }
    }
    best = std::min(best, path);
  }
  if (best == std::numeric_limits<double>::infinity()) {
    return std::nullopt;
  }
  return best;
}

std::optional<double> path_to_plane(const TrackState& state, double z, double min_path) noexcept {
  const double tz = state.direction.z;
  if (tz == 0.0) {
    return std::nullopt;
  }
  const double path = (z - state.position.z) / tz;
  if (!(path > min_path)) {
    return std::nullopt;
  }
  return path;
}

std::optional<double> path_to_disk(const TrackState& state, double field, double z, double r_min,
                                   double r_max, double min_path) noexcept {
  const auto path = path_to_plane(state, z, min_path);
  if (!path) {
    return std::nullopt;
  }
  const double r = advance(state, *path, field).position.perp();
  if (r < r_min || r > r_max) {
    return std::nullopt;
  }
  return path;
}

}  // namespace trackpurity::sim
