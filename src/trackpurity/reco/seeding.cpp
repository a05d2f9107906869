#include "trackpurity/reco/seeding.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "trackpurity/core/error.hpp"

namespace trackpurity::reco {

namespace {

double wrap_phi(double phi) noexcept { return std::remainder(phi, 2.0 * std::numbers::pi); }

double safe_asin(double value) noexcept { return std::asin(std::clamp(value, -1.0, 1.0)); }

// Transverse position and z of a hit as used by the windows.
struct HitCoordinates {
  double r;
  double z;
  double phi;
};

HitCoordinates coordinates(const edm::Hit& hit) noexcept {
  return {hit.position.perp(), hit.position.z, hit.position.phi()};
}

// The coordinate the hit index bins: z on cylinders, r on disks.
double binned_coordinate(const geometry::Surface& surface, double r, double z) noexcept {
  return surface.is_disk() ? r : z;
}

// Azimuth at radius `r` of the circle through the origin and the point
// (r_a, phi_a) with centre azimuth `centre_phi` and radius `rho`, on the
// branch that contains that point.
double azimuth_on_origin_circle(double centre_phi, double rho, double r_a, double phi_a,
                                double r) noexcept {
  const double opening_a = std::acos(std::clamp(r_a / (2.0 * rho), -1.0, 1.0));
  const double sign = std::abs(wrap_phi(centre_phi + opening_a - phi_a)) <
                              std::abs(wrap_phi(centre_phi - opening_a - phi_a))
                          ? 1.0
                          : -1.0;
  return centre_phi + sign * std::acos(std::clamp(r / (2.0 * rho), -1.0, 1.0));
}

}  // namespace

void SeedingConfig::validate() const {
  if (!(pt_min > 0.0)) {
    throw ConfigError("seeding pt_min must be positive, found " + std::to_string(pt_min));
  }
  if (pt_tolerance < 0.0 || pt_tolerance >= 1.0) {
    throw ConfigError("seeding pt_tolerance must be in [0, 1), found " + std::to_string(pt_tolerance));
  }
  if (!(max_d0 > 0.0) || !(max_z0 > 0.0)) {
    throw ConfigError("seeding max_d0 and max_z0 must be positive, found " +
                      std::to_string(max_d0) + " and " + std::to_string(max_z0));
  }
  if (start_layers < 0) {
    throw ConfigError("seeding start_layers must be non-negative, found " +
                      std::to_string(start_layers));
  }
  if (!(rz_tolerance > 0.0) || !(phi_margin >= 0.0)) {
    throw ConfigError("seeding rz_tolerance must be positive and phi_margin non-negative");
  }
}

std::optional<Vector6> helix_through(const edm::Vector3& a, const edm::Vector3& b,
                                     const edm::Vector3& c, double field_constant) noexcept {
  const double d = 2.0 * (a.x * (b.y - c.y) + b.x * (c.y - a.y) + c.x * (a.y - b.y));
  if (std::abs(d) < 1e-12) {
    return std::nullopt;
  }
  const double a2 = a.x * a.x + a.y * a.y;
  const double b2 = b.x * b.x + b.y * b.y;
  const double c2 = c.x * c.x + c.y * c.y;
  const double ux = (a2 * (b.y - c.y) + b2 * (c.y - a.y) + c2 * (a.y - b.y)) / d;
  const double uy = (a2 * (c.x - b.x) + b2 * (a.x - c.x) + c2 * (b.x - a.x)) / d;
  const double rho = std::hypot(a.x - ux, a.y - uy);

  // Positive charges turn clockwise seen from +z.
  const double turn = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
  const int charge = turn < 0.0 ? 1 : -1;
  const double rx = a.x - ux;
  const double ry = a.y - uy;
  const double tx = charge > 0 ? ry : -ry;
  const double ty = charge > 0 ? -rx : rx;

  const double cx = c.x - ux;
  const double cy = c.y - uy;
  const double angle = std::abs(std::atan2(rx * cy - ry * cx, rx * cx + ry * cy));
  const double arc = rho * angle;
  const double theta = std::atan2(arc, c.z - a.z);
  const double pt = field_constant * rho;

  Vector6 free;
  free << a.x, a.y, a.z, std::atan2(ty, tx), theta, charge * std::sin(theta) / pt;
  return free;
}

TripletSeeder::TripletSeeder(const DetectorModel& detector, SeedingConfig config)
    : detector_(&detector), config_(config) {
  config_.validate();

  // Layer triplets from straight lines: origins on the beam line over the
  // luminous region, or at displaced radii, and pseudorapidities over the
  // tracker acceptance.
  std::vector<std::pair<double, double>> origins;  // (radius, z)
  for (const double z_fraction : {-1.0, -0.5, 0.0, 0.5, 1.0}) {
    if (config_.beam_constraint) {
      origins.emplace_back(0.0, z_fraction * config_.max_z0);
    } else {
      for (const double r_fraction : {0.0, 0.25, 0.5, 1.0}) {
        origins.emplace_back(r_fraction * config_.max_vertex_radius, z_fraction * config_.max_z0);
      }
    }
  }
  const auto& surfaces = detector.geometry().surfaces();
  const double max_eta = detector.geometry().max_eta();
  std::set<LayerTriplet> found;
  std::vector<std::pair<double, std::uint16_t>> crossed;
  for (const auto& [origin_r, origin_z] : origins) {
    for (double eta = -max_eta; eta <= max_eta; eta += 0.005) {
      const double theta = 2.0 * std::atan(std::exp(-eta));
      const double sin_theta = std::sin(theta);
      const double cos_theta = std::cos(theta);
      crossed.clear();
      for (const geometry::Surface& surface : surfaces) {
        if (!uses_surface(surface)) {
          continue;
        }
        if (surface.is_disk()) {
          const double path = (surface.z - origin_z) / cos_theta;
          const double r = origin_r + path * sin_theta;
          if (path > 0.0 && r >= surface.r_min && r <= surface.r_max) {
            crossed.emplace_back(path, surface.id);
          }
        } else {
          const double path = (surface.radius - origin_r) / sin_theta;
          const double z = origin_z + path * cos_theta;
          if (path > 0.0 && std::abs(z) <= surface.half_length) {
            crossed.emplace_back(path, surface.id);
          }
        }
      }
      std::sort(crossed.begin(), crossed.end());
      const int n = static_cast<int>(crossed.size());
      auto add = [&](int i, int j, int k) {
        if (k < n) {
          found.insert({crossed[static_cast<std::size_t>(i)].second,
                        crossed[static_cast<std::size_t>(j)].second,
                        crossed[static_cast<std::size_t>(k)].second});
        }
      };
      const int starts = config_.start_layers > 0 ? std::min(config_.start_layers, n) : n;
      for (int i = 0; i < starts; ++i) {
        add(i, i + 1, i + 2);
        add(i, i + 1, i + 3);
        add(i, i + 2, i + 3);
      }
    }
  }
  triplets_.assign(found.begin(), found.end());
  // Inner triplets first: seeds from them are tried first by the track finder.
  std::stable_sort(triplets_.begin(), triplets_.end(), [&](const auto& x, const auto& y) {
    return x[0] < y[0];
  });
}

bool TripletSeeder::uses_surface(const geometry::Surface& surface) const noexcept {
  using edm::Subdetector;
  switch (config_.layers) {
    case SeedingLayers::kPixel:
      return edm::is_inner_tracker(surface.subdetector);
    case SeedingLayers::kOuterPixel:
      if (surface.subdetector == Subdetector::kPixelBarrel) {
        return surface.layer >= 3;
      }
      return surface.subdetector != Subdetector::kOuterBarrel2S;
  }
  return false;
}

void TripletSeeder::find(std::span<const edm::Hit> hits, const HitIndex& index,
                         std::span<const std::uint8_t> masked, std::vector<Seed>& seeds) const {
  for (const LayerTriplet& triplet : triplets_) {
    find_on(triplet, hits, index, masked, seeds);
  }
}

void TripletSeeder::find_on(const LayerTriplet& triplet, std::span<const edm::Hit> hits,
                            const HitIndex& index, std::span<const std::uint8_t> masked,
                            std::vector<Seed>& seeds) const {
  const geometry::Surface& surface_a = detector_->surface(triplet[0]);
  const geometry::Surface& surface_b = detector_->surface(triplet[1]);
  const geometry::Surface& surface_c = detector_->surface(triplet[2]);
  if (index.hit_count(triplet[0]) == 0 || index.hit_count(triplet[1]) == 0 ||
      index.hit_count(triplet[2]) == 0) {
    return;
  }
  const double k = detector_->field_constant();
  const double pt_cut = config_.pt_min * (1.0 - config_.pt_tolerance);
  const double w_max = k / pt_cut;
  const double sigma_v_c = detector_->geometry().sensor(surface_c.is_disk()
                                                            ? surface_c.rings.back().sensor
                                                            : surface_c.sensor).sigma_v;
  auto is_masked = [&](std::uint32_t hit) { return !masked.empty() && masked[hit] != 0; };

  // Range of the binned coordinate of a surface reached by straight lines
  // from (0, z0) through (r, z) for z0 within the luminous region.
  auto coordinate_range = [&](const geometry::Surface& target, double r, double z, double margin) {
    double low = 0.0;
    double high = 0.0;
    if (target.is_disk()) {
      low = target.r_min;
      high = target.r_max;
    } else {
      low = -target.half_length;
      high = target.half_length;
    }
    if (!config_.beam_constraint) {
      return std::pair{low, high};
    }
    double first = 0.0;
    double second = 0.0;
    bool valid = true;
    for (const double z0 : {-config_.max_z0, config_.max_z0}) {
      double value = 0.0;
      if (target.is_disk()) {
        const double along = (target.z - z0) / (z - z0);
        valid = valid && along > 0.0;
        value = r * along;
      } else {
        value = z0 + (z - z0) * target.radius / r;
      }
      (z0 < 0.0 ? first : second) = value;
    }
    if (!valid) {
      return std::pair{low, high};
    }
    return std::pair{std::max(low, std::min(first, second) - margin),
                     std::min(high, std::max(first, second) + margin)};
  };

  const double seed_d0 = config_.max_d0;
  // Loop over hits of the first surface through the index (all azimuths).
  const double r_a_min = surface_a.is_disk() ? surface_a.r_min : surface_a.radius;
  const double r_a_max = surface_a.is_disk() ? surface_a.r_max : surface_a.radius;
  const double coordinate_a_low = surface_a.is_disk() ? r_a_min : -surface_a.half_length;
  const double coordinate_a_high = surface_a.is_disk() ? r_a_max : surface_a.half_length;
  index.for_each(triplet[0], 0.0, 4.0, coordinate_a_low, coordinate_a_high, [&](std::uint32_t ia) {
    if (is_masked(ia)) {
      return;
    }
    const edm::Hit& hit_a = hits[ia];
    const HitCoordinates a = coordinates(hit_a);
    if (config_.beam_constraint && std::abs(a.z) > 300.0) {
      return;
    }

    // Window of the second hit.
    const double margin_b = 0.1 * units::cm + 3.0 * hit_a.sigma_v;
    const auto [b_low, b_high] = coordinate_range(surface_b, a.r, a.z, margin_b);
    const double r_b_far = surface_b.is_disk() ? surface_b.r_max : surface_b.radius;
    const double curvature_b = std::abs(safe_asin(r_b_far * w_max / 2.0) - safe_asin(a.r * w_max / 2.0));
    double impact_b = 0.0;
    if (config_.beam_constraint) {
      impact_b = seed_d0 * std::abs(1.0 / a.r - 1.0 / std::max(r_b_far, 1e-3));
    } else {
      impact_b = safe_asin(std::min(seed_d0, a.r) / a.r) +
                 safe_asin(std::min(seed_d0, r_b_far) / std::max(r_b_far, 1e-3));
    }
    const double window_b = curvature_b + impact_b + config_.phi_margin;

    index.for_each(triplet[1], a.phi, window_b, b_low, b_high, [&](std::uint32_t ib) {
      if (is_masked(ib)) {
        return;
      }
      const edm::Hit& hit_b = hits[ib];
      const HitCoordinates b = coordinates(hit_b);
      if (std::abs(wrap_phi(b.phi - a.phi)) > window_b) {
        return;
      }
      const double dr = b.r - a.r;
      const double dz = b.z - a.z;
      if (config_.beam_constraint) {
        if (dr <= 0.0) {
          return;
        }
        const double z0 = a.z - a.r * dz / dr;
        if (std::abs(z0) > config_.max_z0 + margin_b) {
          return;
        }
      }

      // Predicted third hit on the r-z line through a and b.
      double r_c = 0.0;
      double z_c = 0.0;
      if (surface_c.is_disk()) {
        if (std::abs(dz) < 1e-6) {
          return;
        }
        z_c = surface_c.z;
        r_c = a.r + (z_c - a.z) * dr / dz;
        if (r_c < surface_c.r_min - 1.0 || r_c > surface_c.r_max + 1.0 || (z_c - b.z) * dz <= 0.0) {
          return;
        }
      } else {
        if (std::abs(dr) < 1e-6) {
          return;
        }
        r_c = surface_c.radius;
        z_c = a.z + (r_c - a.r) * dz / dr;
        if (std::abs(z_c) > surface_c.half_length + 1.0 || (r_c - b.r) * dr <= 0.0) {
          return;
        }
      }
      const double rz_window = config_.rz_tolerance +
                               3.0 * (hit_a.sigma_v + hit_b.sigma_v + sigma_v_c) +
                               0.01 * std::abs(surface_c.is_disk() ? z_c - b.z : r_c - b.r) / (config_.pt_min);

      // Predicted azimuth of the third hit.
      double phi_c = 0.0;
      double window_c = 0.0;
      const double lever = std::abs(r_c - b.r);
      const double scattering = 0.003 * lever / std::max(r_c, 1.0) / config_.pt_min;
      if (config_.beam_constraint) {
        const auto through_origin = helix_through({0.0, 0.0, 0.0}, hit_a.position, hit_b.position, k);
        if (!through_origin) {
          phi_c = b.phi;
        } else {
          const double rho = 1.0 / (k * std::abs((*through_origin)[eFreeQOverP]) /
                                    std::sin((*through_origin)[eFreeTheta]));
          // Centre of the circle through the origin, a and b.
          const double direction = (*through_origin)[eFreePhi];
          const double charge = (*through_origin)[eFreeQOverP] > 0.0 ? 1.0 : -1.0;
          // Positive charges turn clockwise, so the centre is to their right.
          const double centre_phi = direction - charge * std::numbers::pi / 2.0;
          phi_c = azimuth_on_origin_circle(centre_phi, rho, a.r, a.phi, r_c);
          if (rho < r_c / 2.0) {
            return;
          }
        }
        window_c = 2.0 * seed_d0 * lever / (a.r * std::max(r_c, 1.0)) + scattering + config_.phi_margin;
      } else {
        phi_c = b.phi + wrap_phi(b.phi - a.phi) * (r_c - b.r) / (std::abs(dr) > 1e-3 ? dr : 1e-3);
        window_c = w_max * std::abs((r_c - a.r) * (r_c - b.r)) / (2.0 * std::max(r_c, 1.0)) +
                   scattering + config_.phi_margin + 0.02;
      }
      const double c_low = binned_coordinate(surface_c, r_c, z_c) - rz_window;
      const double c_high = binned_coordinate(surface_c, r_c, z_c) + rz_window;

      index.for_each(triplet[2], phi_c, window_c, c_low, c_high, [&](std::uint32_t ic) {
        if (is_masked(ic)) {
          return;
        }
        const edm::Hit& hit_c = hits[ic];
        const HitCoordinates c = coordinates(hit_c);
        if (std::abs(wrap_phi(c.phi - phi_c)) > window_c) {
          return;
        }
        const double coordinate = binned_coordinate(surface_c, c.r, c.z);
        if (coordinate < c_low || coordinate > c_high) {
          return;
        }
        const auto helix = helix_through(hit_a.position, hit_b.position, hit_c.position, k);
        if (!helix) {
          return;
        }
        const Vector6& free = *helix;
        const double pt = std::sin(free[eFreeTheta]) / std::abs(free[eFreeQOverP]);
        if (pt < pt_cut) {
          return;
        }
        // Impact parameters at the perigee of the seed helix.
        const auto to_perigee = path_to_surface(free, SurfaceFrame{}, k, Direction::kBackward);
        if (!to_perigee) {
          return;
        }
        const Vector6 perigee = move_along_helix(free, *to_perigee, k);
        const double d0 = std::hypot(perigee[eFreeX], perigee[eFreeY]);
        if (d0 > config_.max_d0 || std::abs(perigee[eFreeZ]) > config_.max_z0) {
          return;
        }
        seeds.push_back(Seed{{ia, ib, ic}, free});
      });
    });
  });
}

}  // namespace trackpurity::reco
