#include "trackpurity/reco/seeding.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "trackpurity/core/error.hpp"
#include "trackpurity/reco/material.hpp"

namespace trackpurity::reco {

namespace {

// Azimuth difference wrapped into [-pi, pi]; exact for |phi| < 3 pi, which
// covers differences of atan2 values and window centres.
double wrap_phi(double phi) noexcept {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  if (phi > std::numbers::pi) {
    phi -= kTwoPi;
  } else if (phi < -std::numbers::pi) {
    phi += kTwoPi;
  }
  return std::abs(phi) <= std::numbers::pi ? phi : std::remainder(phi, kTwoPi);
}

double safe_asin(double value) noexcept { return std::asin(std::clamp(value, -1.0, 1.0)); }

HitCoordinates coordinates(const edm::Hit& hit) noexcept {
  return {std::sqrt(hit.position.x * hit.position.x + hit.position.y * hit.position.y),
          hit.position.z, std::atan2(hit.position.y, hit.position.x)};
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
  if (confirmation_surfaces < 0 || confirmation_surfaces > 8) {
    throw ConfigError("seeding confirmation_surfaces must be in [0, 8], found " +
                      std::to_string(confirmation_surfaces));
  }
  if (confirmation_surfaces > 0 && (confirmation_hits < 1 || confirmation_hits > confirmation_surfaces)) {
    throw ConfigError("seeding confirmation_hits must be in [1, confirmation_surfaces = " +
                      std::to_string(confirmation_surfaces) + "], found " +
                      std::to_string(confirmation_hits));
  }
  if (!(confirmation_max_chi2 > 0.0) || !(confirmation_x_over_x0 >= 0.0)) {
    throw ConfigError("seeding confirmation_max_chi2 must be positive and confirmation_x_over_x0 "
                      "non-negative, found " + std::to_string(confirmation_max_chi2) + " and " +
                      std::to_string(confirmation_x_over_x0));
  }
  if (max_pairs < 1) {
    throw ConfigError("seeding max_pairs must be at least 1, found " + std::to_string(max_pairs));
  }
  if (max_seeds_per_pair < 1 || max_seeds < 1) {
    throw ConfigError("seeding max_seeds_per_pair and max_seeds must be at least 1, found " +
                      std::to_string(max_seeds_per_pair) + " and " + std::to_string(max_seeds));
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
  std::vector<std::set<std::uint16_t>> followers(surfaces.size());
  std::vector<std::pair<double, std::uint16_t>> crossed;
  std::vector<std::pair<double, std::uint16_t>> all_crossed;
  for (const auto& [origin_r, origin_z] : origins) {
    for (double eta = -max_eta; eta <= max_eta; eta += 0.005) {
      const double theta = 2.0 * std::atan(std::exp(-eta));
      const double sin_theta = std::sin(theta);
      const double cos_theta = std::cos(theta);
      all_crossed.clear();
      for (const geometry::Surface& surface : surfaces) {
        if (surface.is_disk()) {
          const double path = (surface.z - origin_z) / cos_theta;
          const double r = origin_r + path * sin_theta;
          if (path > 0.0 && r >= surface.r_min && r <= surface.r_max) {
            all_crossed.emplace_back(path, surface.id);
          }
        } else {
          const double path = (surface.radius - origin_r) / sin_theta;
          const double z = origin_z + path * cos_theta;
          if (path > 0.0 && std::abs(z) <= surface.half_length) {
            all_crossed.emplace_back(path, surface.id);
          }
        }
      }
      std::sort(all_crossed.begin(), all_crossed.end());
      crossed.clear();
      for (std::size_t i = 0; i < all_crossed.size(); ++i) {
        if (uses_surface(surfaces[all_crossed[i].second])) {
          crossed.push_back(all_crossed[i]);
        }
        // Straight lines give the order of crossing; the confirmation hit
        // lies on one of the next few surfaces, whichever kind they are.
        for (std::size_t j = i + 1; j < all_crossed.size() && j <= i + kFollowerDepth; ++j) {
          followers[all_crossed[i].second].insert(all_crossed[j].second);
        }
      }
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
        if (config_.skip_layers) {
          add(i, i + 1, i + 3);
          add(i, i + 2, i + 3);
        }
      }
    }
  }
  triplets_.assign(found.begin(), found.end());
  followers_.resize(surfaces.size());
  for (std::size_t i = 0; i < surfaces.size(); ++i) {
    followers_[i].assign(followers[i].begin(), followers[i].end());
    if (followers_[i].size() > kMaxFollowers) {
      followers_[i].resize(kMaxFollowers);
    }
  }
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
    case SeedingLayers::kOuterBarrel:
      if (surface.subdetector == Subdetector::kPixelBarrel) {
        return surface.layer >= 3;
      }
      return surface.subdetector == Subdetector::kOuterBarrelPS;
    case SeedingLayers::kPixelDisks:
      return surface.subdetector == Subdetector::kPixelForward ||
             surface.subdetector == Subdetector::kPixelEndcap;
  }
  return false;
}

SeedingCounters TripletSeeder::find(std::span<const edm::Hit> hits, const HitIndex& index,
                                    std::span<const std::uint8_t> masked,
                                    std::vector<Seed>& seeds) const {
  SeedingCounters counters;
  const std::size_t limit = seeds.size() + static_cast<std::size_t>(config_.max_seeds);
  // Each hit is visited many times as a second or third hit, so its radius
  // and azimuth are computed once.
  std::vector<HitCoordinates> hit_coordinates(hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) {
    hit_coordinates[i] = coordinates(hits[i]);
  }
  // Layer triplets are sorted, so those that share their first two
  // surfaces are neighbours; each such group searches its hit pairs once.
  const std::span<const LayerTriplet> triplets(triplets_);
  for (std::size_t first = 0; first < triplets.size();) {
    std::size_t last = first + 1;
    while (last < triplets.size() && triplets[last][0] == triplets[first][0] &&
           triplets[last][1] == triplets[first][1]) {
      ++last;
    }
    find_on(triplets.subspan(first, last - first), hits, hit_coordinates, index, masked, seeds,
            counters, limit);
    if (seeds.size() >= limit || counters.pairs >= static_cast<std::uint64_t>(config_.max_pairs)) {
      seeds.resize(std::min(seeds.size(), limit));
      counters.truncated = true;
      break;
    }
    first = last;
  }
  return counters;
}

std::optional<double> TripletSeeder::confirm(const Vector6& free, int third_surface,
                                             std::span<const edm::Hit> hits, const HitIndex& index,
                                             std::span<const std::uint8_t> masked) const {
  if (third_surface < 0 || static_cast<std::size_t>(third_surface) >= followers_.size()) {
    return std::nullopt;
  }
  const double k = detector_->field_constant();

  // Paths to the surfaces that can follow the third one, nearest first. The
  // surfaces' extents are checked in that order below, only as far as needed.
  std::array<std::pair<double, std::uint16_t>, kMaxFollowers> crossings{};
  std::size_t crossing_count = 0;
  for (const std::uint16_t surface_id : followers_[static_cast<std::size_t>(third_surface)]) {
    const auto path = path_to_surface(free, detector_->frame(surface_id), k, Direction::kForward);
    if (path && crossing_count < crossings.size()) {
      crossings[crossing_count++] = {*path, surface_id};
    }
  }
  std::sort(crossings.begin(), crossings.begin() + static_cast<std::ptrdiff_t>(crossing_count));

  const double p = 1.0 / std::max(std::abs(free[eFreeQOverP]), 1e-6);
  const double sin_theta = std::max(std::abs(std::sin(free[eFreeTheta])), 1e-3);
  const double cos_theta = std::max(std::abs(std::cos(free[eFreeTheta])), 1e-3);
  // RMS scattering angle of the material between the third and the fourth
  // hit; the displacement it causes grows with the distance travelled.
  const double theta0 = highland_angle(p, constants::kPionMass, config_.confirmation_x_over_x0);
  const double n_sigma = std::sqrt(config_.confirmation_max_chi2);

  int active_seen = 0;
  int confirmed = 0;
  double chi2_sum = 0.0;
  for (std::size_t n = 0; n < crossing_count && active_seen < config_.confirmation_surfaces; ++n) {
    const auto [path, surface_id] = crossings[n];
    const Vector6 next = move_along_helix(free, path, k);
    const geometry::Surface& surface = detector_->surface(surface_id);
    const double r = std::sqrt(next[eFreeX] * next[eFreeX] + next[eFreeY] * next[eFreeY]);
    const bool inside = surface.is_disk() ? r >= surface.r_min && r <= surface.r_max
                                          : std::abs(next[eFreeZ]) <= surface.half_length;
    if (!inside) {
      continue;
    }
    // Loopers are not confirmed past their largest radius.
    if (next[eFreeX] * std::cos(next[eFreePhi]) + next[eFreeY] * std::sin(next[eFreePhi]) < 0.0) {
      break;
    }
    const auto module = detector_->geometry().locate(surface, free_position(next));
    if (!module || !module->active) {
      continue;
    }
    ++active_seen;

    // Predicted point and its spread: the hit resolution plus the scattering
    // displacement theta0 * distance, projected on r-phi and on z (cylinders)
    // or r (disks).
    const geometry::SensorSpec& sensor = detector_->geometry().sensor(module->sensor);
    const double distance = std::hypot(next[eFreeX] - free[eFreeX], next[eFreeY] - free[eFreeY],
                                       next[eFreeZ] - free[eFreeZ]);
    const double spread = theta0 * distance;
    const double phi = std::atan2(next[eFreeY], next[eFreeX]);
    const double sigma_u = std::hypot(sensor.sigma_u, spread);
    double sigma_v = 0.0;
    double coordinate = 0.0;
    if (surface.is_disk()) {
      sigma_v = std::hypot(sensor.sigma_v, spread / cos_theta);
      coordinate = r;
    } else {
      sigma_v = std::hypot(sensor.sigma_v, spread / sin_theta);
      coordinate = next[eFreeZ];
    }
    const double phi_half_width = n_sigma * sigma_u / std::max(r, 1e-3);
    std::optional<double> best;
    index.for_each(surface_id, phi, phi_half_width, coordinate - n_sigma * sigma_v,
                   coordinate + n_sigma * sigma_v, [&](std::uint32_t id) {
                     if (!masked.empty() && masked[id] != 0) {
                       return;
                     }
                     const edm::Hit& hit = hits[id];
                     const double du = r * wrap_phi(hit.position.phi() - phi) / sigma_u;
                     const double dv = ((surface.is_disk() ? hit.position.perp() : hit.position.z) -
                                        coordinate) / sigma_v;
                     const double chi2 = du * du + dv * dv;
                     if (chi2 <= config_.confirmation_max_chi2 && (!best || chi2 < *best)) {
                       best = chi2;
                     }
                   });
    if (best) {
      chi2_sum += *best;
      if (++confirmed == config_.confirmation_hits) {
        return chi2_sum;
      }
    }
    if (config_.confirmation_hits - confirmed > config_.confirmation_surfaces - active_seen) {
      break;  // too few surfaces left for the hits still needed
    }
  }
  return std::nullopt;
}

void TripletSeeder::find_on(std::span<const LayerTriplet> group, std::span<const edm::Hit> hits,
                            std::span<const HitCoordinates> hit_coordinates, const HitIndex& index, std::span<const std::uint8_t> masked,
                            std::vector<Seed>& seeds, SeedingCounters& counters,
                            std::size_t limit) const {
  const std::uint16_t surface_a_id = group.front()[0];
  const std::uint16_t surface_b_id = group.front()[1];
  const geometry::Surface& surface_a = detector_->surface(surface_a_id);
  const geometry::Surface& surface_b = detector_->surface(surface_b_id);
  if (index.hit_count(surface_a_id) == 0 || index.hit_count(surface_b_id) == 0) {
    return;
  }
  const double k = detector_->field_constant();
  const double pt_cut = config_.pt_min * (1.0 - config_.pt_tolerance);
  const double w_max = k / pt_cut;
  auto is_masked = [&](std::uint32_t hit) { return !masked.empty() && masked[hit] != 0; };

  // Range of the binned coordinate of a surface reached by straight lines
  // from (0, z0) through (r, z) for |z0| <= max_z0. Both iterations use it:
  // the r-z line of a displaced daughter points back to the luminous region
  // within a few cm, because its parent came from there.
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

  struct ThirdHit {
    double chi2;
    std::uint32_t hit;
    Vector6 free;
  };
  std::vector<ThirdHit> third_hits;

  // Loop over hits of the first surface through the index (all azimuths).
  const double r_a_min = surface_a.is_disk() ? surface_a.r_min : surface_a.radius;
  const double r_a_max = surface_a.is_disk() ? surface_a.r_max : surface_a.radius;
  const double coordinate_a_low = surface_a.is_disk() ? r_a_min : -surface_a.half_length;
  const double coordinate_a_high = surface_a.is_disk() ? r_a_max : surface_a.half_length;
  index.for_each(surface_a_id, 0.0, 4.0, coordinate_a_low, coordinate_a_high, [&](std::uint32_t ia) {
    if (is_masked(ia) || seeds.size() >= limit ||
        counters.pairs >= static_cast<std::uint64_t>(config_.max_pairs)) {
      return;
    }
    const edm::Hit& hit_a = hits[ia];
    const HitCoordinates& a = hit_coordinates[ia];

    // Window of the second hit: the bending of a track above pt_cut between
    // the two radii, plus the azimuth difference that an impact parameter
    // up to max_d0 adds to a straight line, asin(d0 / r_a) - asin(d0 / r_b).
    const double margin_b = 0.1 * units::cm + 3.0 * hit_a.sigma_v;
    const auto [b_low, b_high] = coordinate_range(surface_b, a.r, a.z, margin_b);
    const double r_b_far = surface_b.is_disk() ? std::max(b_high, a.r) : surface_b.radius;
    const double curvature_b = std::abs(safe_asin(r_b_far * w_max / 2.0) - safe_asin(a.r * w_max / 2.0));
    const double d0_limit = std::min(config_.max_d0, 0.999 * a.r);
    const double impact_b =
        std::abs(safe_asin(d0_limit / a.r) - safe_asin(d0_limit / std::max(r_b_far, a.r)));
    const double window_b = curvature_b + impact_b + config_.phi_margin;

    index.for_each(surface_b_id, a.phi, window_b, b_low, b_high, [&](std::uint32_t ib) {
      if (is_masked(ib)) {
        return;
      }
      const edm::Hit& hit_b = hits[ib];
      const HitCoordinates& b = hit_coordinates[ib];
      if (std::abs(wrap_phi(b.phi - a.phi)) > window_b) {
        return;
      }
      const double dr = b.r - a.r;
      const double dz = b.z - a.z;
      if (dr <= 0.0) {
        return;
      }
      const double z0 = a.z - a.r * dz / dr;
      if (std::abs(z0) > config_.max_z0 + margin_b) {
        return;
      }
      ++counters.pairs;
      third_hits.clear();
      for (const LayerTriplet& triplet : group) {
        const std::uint16_t surface_c_id = triplet[2];
        if (index.hit_count(surface_c_id) == 0) {
          continue;
        }
        const geometry::Surface& surface_c = detector_->surface(surface_c_id);
        const double sigma_v_c = detector_->geometry().sensor(surface_c.is_disk()
                                                                  ? surface_c.rings.back().sensor
                                                                  : surface_c.sensor).sigma_v;

        // Predicted third hit: on the r-z line through a and b with the
        // origin circle (beam constraint), or on the straight 3D line through
        // a and b, whose distance to the helix is at most the sagitta.
        double r_c = 0.0;
        double z_c = 0.0;
        double phi_c = 0.0;
        double window_c = 0.0;
        double radial_spread = 0.0;  // extra r window on disks from the sagitta
        if (config_.beam_constraint) {
          if (surface_c.is_disk()) {
            if (std::abs(dz) < 1e-6) {
              continue;
            }
            z_c = surface_c.z;
            r_c = a.r + (z_c - a.z) * dr / dz;
            if (r_c < surface_c.r_min - 1.0 || r_c > surface_c.r_max + 1.0 || (z_c - b.z) * dz <= 0.0) {
              continue;
            }
          } else {
            r_c = surface_c.radius;
            z_c = a.z + (r_c - a.r) * dz / dr;
            if (std::abs(z_c) > surface_c.half_length + 1.0 || r_c <= b.r) {
              continue;
            }
          }
          const double lever = std::abs(r_c - b.r);
          const double scattering = 0.003 * lever / std::max(r_c, 1.0) / config_.pt_min;
          const auto through_origin = helix_through({0.0, 0.0, 0.0}, hit_a.position, hit_b.position, k);
          if (!through_origin) {
            phi_c = b.phi;
          } else {
            const double rho = 1.0 / (k * std::abs((*through_origin)[eFreeQOverP]) /
                                      std::sin((*through_origin)[eFreeTheta]));
            if (rho < r_c / 2.0) {
              continue;
            }
            // Positive charges turn clockwise, so the centre is to their right.
            const double direction = (*through_origin)[eFreePhi];
            const double charge = (*through_origin)[eFreeQOverP] > 0.0 ? 1.0 : -1.0;
            const double centre_phi = direction - charge * std::numbers::pi / 2.0;
            phi_c = azimuth_on_origin_circle(centre_phi, rho, a.r, a.phi, r_c);
          }
          window_c = 2.0 * config_.max_d0 * lever / (a.r * std::max(r_c, 1.0)) + scattering +
                     config_.phi_margin;
        } else {
          const double dx = hit_b.position.x - hit_a.position.x;
          const double dy = hit_b.position.y - hit_a.position.y;
          const double chord = std::hypot(dx, dy);
          if (chord < 1e-6) {
            continue;
          }
          const double ux = dx / chord;
          const double uy = dy / chord;
          const double slope = dz / chord;  // dz per cm of transverse path
          double t = 0.0;  // transverse path from b
          if (surface_c.is_disk()) {
            if (std::abs(slope) < 1e-9) {
              continue;
            }
            t = (surface_c.z - b.z) / slope;
          } else {
            const double along = hit_b.position.x * ux + hit_b.position.y * uy;
            const double discriminant = along * along - (b.r * b.r - surface_c.radius * surface_c.radius);
            if (discriminant < 0.0) {
              continue;
            }
            t = -along + std::sqrt(discriminant);
          }
          if (t <= 0.0) {
            continue;
          }
          const double x_c = hit_b.position.x + t * ux;
          const double y_c = hit_b.position.y + t * uy;
          z_c = b.z + t * slope;
          r_c = std::hypot(x_c, y_c);
          phi_c = std::atan2(y_c, x_c);
          if (surface_c.is_disk() ? (r_c < surface_c.r_min - 1.0 || r_c > surface_c.r_max + 1.0)
                                  : std::abs(z_c) > surface_c.half_length + 1.0) {
            continue;
          }
          // Largest distance of a helix above pt_cut from its chord line at
          // path t beyond b, and its azimuth at radius r_c for a track that
          // crosses the cylinder at an angle (cos_alpha: radial projection).
          const double sagitta = 0.5 * w_max * t * (t + chord);
          const double cos_alpha = std::max(std::abs(x_c * ux + y_c * uy) / std::max(r_c, 1e-3), 0.2);
          const double scattering = 0.003 * t / std::max(r_c, 1.0) / config_.pt_min;
          window_c = sagitta / (std::max(r_c, 1.0) * cos_alpha) + scattering + config_.phi_margin;
          radial_spread = sagitta;
        }
        const double rz_window = config_.rz_tolerance +
                                 3.0 * (hit_a.sigma_v + hit_b.sigma_v + sigma_v_c) +
                                 0.01 * std::abs(surface_c.is_disk() ? z_c - b.z : r_c - b.r) / config_.pt_min +
                                 (surface_c.is_disk() ? radial_spread : 0.0);
        const double c_low = binned_coordinate(surface_c, r_c, z_c) - rz_window;
        const double c_high = binned_coordinate(surface_c, r_c, z_c) + rz_window;

        index.for_each(surface_c_id, phi_c, window_c, c_low, c_high, [&](std::uint32_t ic) {
          if (is_masked(ic)) {
            return;
          }
          const edm::Hit& hit_c = hits[ic];
          const HitCoordinates& c = hit_coordinates[ic];
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
          // Transverse impact parameter of the seed circle: the distance of
          // its centre from the z axis minus its radius. Then z at the
          // perigee, for the triplets that pass.
          const double w = -k * free[eFreeQOverP] / std::sin(free[eFreeTheta]);
          const double centre_x = free[eFreeX] - std::sin(free[eFreePhi]) / w;
          const double centre_y = free[eFreeY] + std::cos(free[eFreePhi]) / w;
          if (std::abs(std::sqrt(centre_x * centre_x + centre_y * centre_y) - 1.0 / std::abs(w)) >
              config_.max_d0) {
            return;
          }
          const auto to_perigee = path_to_surface(free, SurfaceFrame{}, k, Direction::kBackward);
          if (!to_perigee) {
            return;
          }
          const Vector6 perigee = move_along_helix(free, *to_perigee, k);
          const double d0 = std::hypot(perigee[eFreeX], perigee[eFreeY]);
          if (d0 > config_.max_d0 || std::abs(perigee[eFreeZ]) > config_.max_z0) {
            return;
          }
          ++counters.triplets;

          // Fourth hit beyond the third.
          double chi2 = 0.0;
          if (config_.confirmation_surfaces > 0) {
            const auto to_third = path_to_surface(free, detector_->frame(surface_c_id), k, Direction::kForward);
            if (!to_third) {
              ++counters.unconfirmed;
              return;
            }
            const auto confirmation =
                confirm(move_along_helix(free, *to_third, k), surface_c_id, hits, index, masked);
            if (!confirmation) {
              ++counters.unconfirmed;
              return;
            }
            chi2 = *confirmation;
          }
          third_hits.push_back({chi2, ic, free});
        });
      }

      // The best third hits of this pair, lowest confirmation chi2 first.
      const std::size_t keep =
          std::min(third_hits.size(), static_cast<std::size_t>(config_.max_seeds_per_pair));
      std::partial_sort(third_hits.begin(), third_hits.begin() + static_cast<std::ptrdiff_t>(keep),
                        third_hits.end(),
                        [](const ThirdHit& x, const ThirdHit& y) { return x.chi2 < y.chi2; });
      for (std::size_t i = 0; i < keep && seeds.size() < limit; ++i) {
        seeds.push_back(Seed{{ia, ib, third_hits[i].hit}, third_hits[i].free, third_hits[i].chi2});
      }
    });
  });
}

}  // namespace trackpurity::reco
