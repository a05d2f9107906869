#pragma once

// Test-only hit generator: follows the exact helix of a charged particle in
// a uniform field along z and returns one smeared hit per sensitive surface
// crossed, without material. It locates crossings by stepping and bisection,
// independently of the reconstruction's analytic propagator.

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>
#include <cstdint>
#include <random>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/hit.hpp"
#include "trackpurity/edm/particle.hpp"
#include "trackpurity/geometry/geometry.hpp"

namespace trackpurity::testing {

struct HelixPoint {
  edm::Vector3 position;
  edm::Vector3 momentum;
};

// Position and momentum after transverse path `s` along the helix of a
// particle of `charge` starting at `vertex` with `momentum`, in field `b` [T].
inline HelixPoint helix_point(const edm::Vector3& vertex, const edm::Vector3& momentum, int charge,
                              double b, double s) {
  const double pt = momentum.perp();
  const double phi0 = std::atan2(momentum.y, momentum.x);
  const double w = -charge * constants::kPtPerTeslaCm * b / pt;
  const double phi = phi0 + w * s;
  HelixPoint point;
  if (std::abs(w * s) < 1e-9) {
    point.position = {vertex.x + s * std::cos(phi0), vertex.y + s * std::sin(phi0),
                      vertex.z + s * momentum.z / pt};
  } else {
    point.position = {vertex.x + (std::sin(phi) - std::sin(phi0)) / w,
                      vertex.y - (std::cos(phi) - std::cos(phi0)) / w,
                      vertex.z + s * momentum.z / pt};
  }
  point.momentum = {pt * std::cos(phi), pt * std::sin(phi), momentum.z};
  return point;
}

// Signed distance of `point` to `surface` (zero on it), ignoring its extent.
inline double surface_distance(const geometry::Surface& surface, const edm::Vector3& point) {
  return surface.is_disk() ? point.z - surface.z : point.perp() - surface.radius;
}

inline bool inside_extent(const geometry::Surface& surface, const edm::Vector3& point) {
  if (surface.is_disk()) {
    return point.perp() >= surface.r_min && point.perp() <= surface.r_max;
  }
  return std::abs(point.z) <= surface.half_length;
}

// Smeared hits of one particle, in order of crossing, up to half a turn.
// Hit ids continue from `first_id`; `particle.id` is the truth link.
inline std::vector<edm::Hit> helix_hits(const geometry::Geometry& geometry,
                                        const edm::Particle& particle, std::mt19937_64& random,
                                        std::uint32_t first_id = 0) {
  const double b = geometry.magnetic_field();
  const double pt = particle.momentum.perp();
  const double radius = pt / (constants::kPtPerTeslaCm * b);
  const double max_path = std::min(std::numbers::pi * radius, 400.0 * units::cm);
  constexpr double kStep = 0.5 * units::cm;
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::vector<std::pair<double, edm::Hit>> found;
  std::vector<double> previous(geometry.surfaces().size());
  auto point_at = [&](double s) {
    return helix_point(particle.vertex, particle.momentum, particle.charge, b, s);
  };
  for (std::size_t i = 0; i < previous.size(); ++i) {
    previous[i] = surface_distance(geometry.surfaces()[i], particle.vertex);
  }
  for (double s = kStep; s <= max_path; s += kStep) {
    const HelixPoint here = point_at(s);
    if (std::abs(here.position.z) > 300.0 * units::cm) {
      break;
    }
    for (std::size_t i = 0; i < previous.size(); ++i) {
      const geometry::Surface& surface = geometry.surfaces()[i];
      const double distance = surface_distance(surface, here.position);
      if ((distance > 0.0) == (previous[i] > 0.0)) {
        previous[i] = distance;
        continue;
      }
      previous[i] = distance;
      double low = s - kStep;
      double high = s;
      for (int iteration = 0; iteration < 60; ++iteration) {
        const double middle = 0.5 * (low + high);
        const double d_low = surface_distance(surface, point_at(low).position);
        const double d_middle = surface_distance(surface, point_at(middle).position);
        if ((d_low > 0.0) == (d_middle > 0.0)) {
          low = middle;
        } else {
          high = middle;
        }
      }
      const edm::Vector3 crossing = point_at(0.5 * (low + high)).position;
      if (!inside_extent(surface, crossing)) {
        continue;
      }
      const auto module = geometry.locate(surface, crossing);
      if (!module || !module->active) {
        continue;
      }
      const geometry::SensorSpec& sensor = geometry.sensor(module->sensor);
      edm::Hit hit;
      hit.module_id = module->module_id;
      hit.layer_id = surface.id;
      hit.subdetector = surface.subdetector;
      hit.layer = surface.layer;
      hit.sigma_u = sensor.sigma_u;
      hit.sigma_v = sensor.sigma_v;
      hit.particle = static_cast<std::int32_t>(particle.id);
      hit.true_position = crossing;
      const double du = sensor.sigma_u * gauss(random);
      const double dv = sensor.sigma_v * gauss(random);
      const double phi = crossing.phi();
      if (surface.is_disk()) {
        hit.position = {crossing.x - std::sin(phi) * du + std::cos(phi) * dv,
                        crossing.y + std::cos(phi) * du + std::sin(phi) * dv, crossing.z};
      } else {
        const double phi_measured = phi + du / surface.radius;
        hit.position = {surface.radius * std::cos(phi_measured),
                        surface.radius * std::sin(phi_measured), crossing.z + dv};
      }
      found.emplace_back(0.5 * (low + high), hit);
    }
  }
  std::sort(found.begin(), found.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<edm::Hit> hits;
  for (auto& [path, hit] : found) {
    hit.id = first_id + static_cast<std::uint32_t>(hits.size());
    hits.push_back(hit);
  }
  return hits;
}

}  // namespace trackpurity::testing
