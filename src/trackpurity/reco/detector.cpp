#include "trackpurity/reco/detector.hpp"

#include <cmath>
#include <limits>
#include <numbers>

#include "trackpurity/reco/material.hpp"

namespace trackpurity::reco {

DetectorModel::DetectorModel(const geometry::Geometry& geometry)
    : geometry_(&geometry), field_constant_(reco::field_constant(geometry.magnetic_field())) {
  frames_.reserve(geometry.surfaces().size());
  for (const geometry::Surface& surface : geometry.surfaces()) {
    SurfaceFrame frame;
    frame.surface_id = surface.id;
    if (surface.is_disk()) {
      frame.shape = SurfaceShape::kDisk;
      frame.z = surface.z;
    } else {
      frame.shape = SurfaceShape::kCylinder;
      frame.radius = surface.radius;
    }
    frames_.push_back(frame);
  }
}

std::optional<Crossing> DetectorModel::next_crossing(const Vector6& free,
                                                     int current_surface) const noexcept {
  std::optional<Crossing> best;
  double best_path = std::numeric_limits<double>::infinity();
  const auto& surfaces = geometry_->surfaces();
  for (std::size_t i = 0; i < surfaces.size(); ++i) {
    if (static_cast<int>(i) == current_surface) {
      continue;
    }
    const auto path = path_to_surface(free, frames_[i], field_constant_, Direction::kForward);
    if (!path || *path >= best_path) {
      continue;
    }
    const Vector6 point = move_along_helix(free, *path, field_constant_);
    const geometry::Surface& surface = surfaces[i];
    bool inside = false;
    if (surface.is_disk()) {
      const double r = std::hypot(point[eFreeX], point[eFreeY]);
      inside = r >= surface.r_min && r <= surface.r_max;
    } else {
      inside = std::abs(point[eFreeZ]) <= surface.half_length;
    }
    if (inside) {
      best_path = *path;
      best = Crossing{static_cast<std::uint16_t>(i), *path};
    }
  }
  return best;
}

double DetectorModel::passive_material(const Vector6& start, const Vector6& end) const noexcept {
  const double r_start = std::hypot(start[eFreeX], start[eFreeY]);
  const double r_end = std::hypot(end[eFreeX], end[eFreeY]);
  const double z_start = start[eFreeZ];
  const double z_end = end[eFreeZ];
  double total = 0.0;
  // Crossing points are interpolated linearly between the two states, which
  // is close enough for deciding whether a material surface was crossed.
  for (const geometry::PassiveSurface& passive : geometry_->passive_surfaces()) {
    if (passive.kind == geometry::SurfaceKind::kCylinder) {
      const double low = std::min(r_start, r_end);
      const double high = std::max(r_start, r_end);
      if (passive.radius <= low || passive.radius > high) {
        continue;
      }
      const double fraction = (passive.radius - r_start) / (r_end - r_start);
      const double z = z_start + fraction * (z_end - z_start);
      if (std::abs(z) > passive.half_length) {
        continue;
      }
      total += passive.x_over_x0 /
               std::max(incidence_cosine(SurfaceShape::kCylinder, end), 0.05);
    } else {
      const double low = std::min(z_start, z_end);
      const double high = std::max(z_start, z_end);
      if (passive.z <= low || passive.z > high) {
        continue;
      }
      const double fraction = (passive.z - z_start) / (z_end - z_start);
      const double r = r_start + fraction * (r_end - r_start);
      if (r < passive.r_min || r > passive.r_max) {
        continue;
      }
      total += passive.x_over_x0 / std::max(incidence_cosine(SurfaceShape::kDisk, end), 0.05);
    }
  }
  return total;
}

Measurement make_measurement(const edm::Hit& hit, const SurfaceFrame& frame) noexcept {
  Measurement measurement;
  measurement.covariance(0, 0) = hit.sigma_u * hit.sigma_u;
  measurement.covariance(1, 1) = hit.sigma_v * hit.sigma_v;
  if (frame.shape == SurfaceShape::kCylinder) {
    measurement.value[0] = frame.radius * std::atan2(hit.position.y, hit.position.x);
    measurement.value[1] = hit.position.z;
    measurement.projection(0, eLoc0) = 1.0;
    measurement.projection(1, eLoc1) = 1.0;
    measurement.loc0_period = 2.0 * std::numbers::pi * frame.radius;
    return measurement;
  }
  // Disk: u = -sin(a) x + cos(a) y and v = cos(a) x + sin(a) y, with a the
  // azimuth of the hit.
  const double axis = std::atan2(hit.position.y, hit.position.x);
  const double c = std::cos(axis);
  const double s = std::sin(axis);
  measurement.value[0] = -s * hit.position.x + c * hit.position.y;
  measurement.value[1] = c * hit.position.x + s * hit.position.y;
  measurement.projection(0, eLoc0) = -s;
  measurement.projection(0, eLoc1) = c;
  measurement.projection(1, eLoc0) = c;
  measurement.projection(1, eLoc1) = s;
  return measurement;
}

Eigen::Vector2d measurement_residual(const Measurement& measurement,
                                     const Vector5& parameters) noexcept {
  Eigen::Vector2d residual = measurement.value - measurement.projection * parameters;
  if (measurement.loc0_period > 0.0) {
    residual[0] = std::remainder(residual[0], measurement.loc0_period);
  }
  return residual;
}

}  // namespace trackpurity::reco
