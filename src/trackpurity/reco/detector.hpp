#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <Eigen/Core>

#include "trackpurity/edm/hit.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/reco/propagator.hpp"

namespace trackpurity::reco {

// A sensitive surface crossed by a helix.
struct Crossing {
  std::uint16_t surface_id = 0;
  double path = 0.0;  // transverse path length from the start [cm]
};

// The geometry in the form the reconstruction uses: surface frames for the
// propagator, navigation from one sensitive surface to the next, and the
// passive material between them.
class DetectorModel {
 public:
  explicit DetectorModel(const geometry::Geometry& geometry);

  const geometry::Geometry& geometry() const noexcept { return *geometry_; }
  double field_constant() const noexcept { return field_constant_; }
  const SurfaceFrame& frame(std::uint16_t surface_id) const noexcept { return frames_[surface_id]; }
  const geometry::Surface& surface(std::uint16_t surface_id) const noexcept {
    return geometry_->surfaces()[surface_id];
  }

  // The first sensitive surface that the helix of `free` crosses inside the
  // surface's extent, going forward, other than `current_surface` (-1 for none).
  std::optional<Crossing> next_crossing(const Vector6& free, int current_surface) const noexcept;

  // Passive material crossed between `start` and `end` (free states on one
  // helix), as x/X0 along the track summed over the passive surfaces.
  double passive_material(const Vector6& start, const Vector6& end) const noexcept;

 private:
  const geometry::Geometry* geometry_;
  double field_constant_ = 0.0;
  std::vector<SurfaceFrame> frames_;
};

// A 2D hit measurement in the local frame of its surface: u along r-phi and
// v along z (cylinders) or r (disks), with the sensor resolutions.
struct Measurement {
  Eigen::Vector2d value = Eigen::Vector2d::Zero();
  Eigen::Matrix2d covariance = Eigen::Matrix2d::Zero();
  Eigen::Matrix<double, 2, 5> projection = Eigen::Matrix<double, 2, 5>::Zero();
  double loc0_period = 0.0;  // 2 pi R on a cylinder (u wraps around), 0 on disks
};

// Builds the measurement of `hit` on its surface `frame`. On disks the v axis
// is the radial direction through the measured hit.
Measurement make_measurement(const edm::Hit& hit, const SurfaceFrame& frame) noexcept;

// Residual of the measurement to the bound parameters, with u wrapped on cylinders.
Eigen::Vector2d measurement_residual(const Measurement& measurement,
                                     const Vector5& parameters) noexcept;

}  // namespace trackpurity::reco
