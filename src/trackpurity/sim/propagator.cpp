#include "trackpurity/sim/propagator.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "trackpurity/core/error.hpp"
#include "trackpurity/sim/material.hpp"

namespace trackpurity::sim {

namespace {

// Smallest step between two crossings [cm]: a crossing closer than this to
// the current point is the one just made, seen again through rounding.
constexpr double kMinStep = 1e-7 * units::cm;

// Upper bound on crossings per particle. Loopers stop after max_half_turns,
// so only a bug in the search could reach it.
constexpr int kMaxCrossings = 2000;

}  // namespace

void PropagatorConfig::validate() const {
  if (!(min_pt >= 0.0)) {
    throw ConfigError("propagator min_pt must be >= 0 GeV, found " + std::to_string(min_pt));
  }
  if (max_half_turns < 1) {
    throw ConfigError("propagator max_half_turns must be >= 1, found " +
                      std::to_string(max_half_turns));
  }
  if (!(max_radius > 0.0) || !(max_abs_z > 0.0)) {
    throw ConfigError("propagator max_radius and max_abs_z must be positive, found " +
                      std::to_string(max_radius) + " cm and " + std::to_string(max_abs_z) + " cm");
  }
  if (!(max_incidence_factor >= 1.0)) {
    throw ConfigError("propagator max_incidence_factor must be >= 1, found " +
                      std::to_string(max_incidence_factor));
  }
}

std::string_view to_string(StopReason reason) noexcept {
  switch (reason) {
    case StopReason::kLeftVolume:
      return "left_volume";
    case StopReason::kBelowMinPt:
      return "below_min_pt";
    case StopReason::kMaxHalfTurns:
      return "max_half_turns";
    case StopReason::kDecayed:
      return "decayed";
    case StopReason::kConverted:
      return "converted";
    case StopReason::kStopped:
      return "stopped";
  }
  return "unknown";
}

Propagator::Propagator(const geometry::Geometry& geometry, PropagatorConfig config)
    : geometry_(geometry), config_(config), field_(geometry.magnetic_field()) {
  config_.validate();
  for (const geometry::Surface& surface : geometry.surfaces()) {
    MaterialSurface entry;
    entry.x_over_x0 = surface.x_over_x0;
    entry.surface = surface.id;
    if (surface.is_disk()) {
      entry.z = surface.z;
      entry.r_min = surface.r_min;
      entry.r_max = surface.r_max;
      disks_.push_back(entry);
    } else {
      entry.radius = surface.radius;
      entry.half_length = surface.half_length;
      cylinders_.push_back(entry);
    }
  }
  const auto& passive = geometry.passive_surfaces();
  for (std::size_t i = 0; i < passive.size(); ++i) {
    MaterialSurface entry;
    entry.x_over_x0 = passive[i].x_over_x0;
    entry.passive = static_cast<std::int32_t>(i);
    if (passive[i].kind == geometry::SurfaceKind::kDisk) {
      entry.z = passive[i].z;
      entry.r_min = passive[i].r_min;
      entry.r_max = passive[i].r_max;
      disks_.push_back(entry);
    } else {
      entry.radius = passive[i].radius;
      entry.half_length = passive[i].half_length;
      cylinders_.push_back(entry);
    }
  }
  std::stable_sort(disks_.begin(), disks_.end(),
                   [](const MaterialSurface& a, const MaterialSurface& b) { return a.z < b.z; });
}

Propagator::NextCrossing Propagator::find_next_crossing(const TrackState& state,
                                                        double max_path) const noexcept {
  NextCrossing next;
  next.path = max_path;

  // 1. Cylinders: skip those the transverse circle (or line) cannot reach.
  const double rho = curvature(state, field_);
  const double tx = state.direction.x;
  const double ty = state.direction.y;
  const double transverse = std::hypot(tx, ty);
  double reach_min = 0.0;
  double reach_max = std::numeric_limits<double>::infinity();
  if (transverse > 0.0) {
    if (rho != 0.0) {
      const double center_x = state.position.x - ty / rho;
      const double center_y = state.position.y + tx / rho;
      const double center_distance = std::hypot(center_x, center_y);
      const double circle_radius = transverse / std::abs(rho);
      reach_min = std::abs(center_distance - circle_radius);
      reach_max = center_distance + circle_radius;
    } else {
      reach_min = std::abs(state.position.x * ty - state.position.y * tx) / transverse;
    }
    constexpr double kReachTolerance = 1e-6 * units::cm;
    for (const MaterialSurface& cylinder : cylinders_) {
      if (cylinder.radius < reach_min - kReachTolerance ||
          cylinder.radius > reach_max + kReachTolerance) {
        continue;
      }
      const auto path =
          path_to_cylinder(state, field_, cylinder.radius, cylinder.half_length, kMinStep);
      if (path && *path < next.path) {
        next.path = *path;
        next.surface = &cylinder;
        next.is_disk = false;
      }
    }
  }

  // 2. Disks: walk the planes in the direction of motion; the first one hit
  // within its radial range is the nearest, and planes beyond the best
  // crossing found so far cannot win.
  const double tz = state.direction.z;
  if (tz == 0.0) {
    return next;
  }
  const double z0 = state.position.z;
  const auto by_z = [](const MaterialSurface& disk, double z) { return disk.z < z; };
  auto visit = [&](const MaterialSurface& disk) {
    const double path = (disk.z - z0) / tz;
    if (path >= next.path) {
      return false;
    }
    if (path <= kMinStep) {
      return true;
    }
    const double r = advance(state, path, field_).position.perp();
    if (r >= disk.r_min && r <= disk.r_max) {
      next.path = path;
      next.surface = &disk;
      next.is_disk = true;
      return false;
    }
    return true;
  };
  const auto first_at_or_above = std::lower_bound(disks_.begin(), disks_.end(), z0, by_z);
  if (tz > 0.0) {
    for (auto it = first_at_or_above; it != disks_.end() && visit(*it); ++it) {
    }
  } else {
    for (auto it = first_at_or_above; it != disks_.begin() && visit(*std::prev(it)); --it) {
    }
    // A disk exactly at z0 sits at first_at_or_above and is the current one: skipped.
  }
  return next;
}

double Propagator::path_out_of_volume(const TrackState& state) const noexcept {
  double path = std::numeric_limits<double>::infinity();
  const auto radial = path_to_cylinder(state, field_, config_.max_radius,
                                       std::numeric_limits<double>::infinity(), 0.0);
  if (radial) {
    path = *radial;
  }
  for (const double z : {-config_.max_abs_z, config_.max_abs_z}) {
    const auto axial = path_to_plane(state, z, 0.0);
    if (axial) {
      path = std::min(path, *axial);
    }
  }
  return path;
}

PropagationResult Propagator::propagate(const TrackState& start,
                                        const ParticleKinematics& kinematics, Rng& rng,
                                        std::vector<SurfaceCrossing>& crossings) const {
  PropagationResult result;
  result.state = start;
  const bool charged = start.charge != 0;
  if (charged && start.pt() < config_.min_pt) {
    result.reason = StopReason::kBelowMinPt;
    return result;
  }
  if (start.position.perp() > config_.max_radius || std::abs(start.position.z) > config_.max_abs_z) {
    result.reason = StopReason::kLeftVolume;
    return result;
  }

  TrackState& state = result.state;
  double turned = 0.0;
  const double max_turn = config_.max_half_turns * std::numbers::pi;
  for (int crossing_count = 0; crossing_count < kMaxCrossings; ++crossing_count) {
    // 1. The nearest of: decay point, turn limit, volume exit, next surface.
    const double rho = curvature(state, field_);
    double limit = std::max(kinematics.decay_path - result.path, 0.0);
    StopReason reason = StopReason::kDecayed;
    if (rho != 0.0) {
      const double turn_limit = std::max(max_turn - turned, 0.0) / std::abs(rho);
      if (turn_limit < limit) {
        limit = turn_limit;
        reason = StopReason::kMaxHalfTurns;
      }
    }
    const double exit = path_out_of_volume(state);
    if (exit < limit) {
      limit = exit;
      reason = StopReason::kLeftVolume;
    }
    const NextCrossing next = find_next_crossing(state, limit);
    if (next.surface == nullptr) {
      if (std::isfinite(limit)) {
        state = advance(state, limit, field_);
        result.path += limit;
      }
      result.reason = reason;
      return result;
    }

    // 2. Move to the surface and record the crossing.
    state = advance(state, next.path, field_);
    result.path += next.path;
    turned += std::abs(rho) * next.path;
    double cos_incidence = std::abs(state.direction.z);
    if (!next.is_disk) {
      const double r = state.position.perp();
      cos_incidence = std::abs(state.position.x * state.direction.x +
                               state.position.y * state.direction.y) / r;
    }
    const double path_factor =
        std::min(1.0 / std::max(cos_incidence, 1e-12), config_.max_incidence_factor);
    const double x_over_x0 = next.surface->x_over_x0 * path_factor;
    crossings.push_back(SurfaceCrossing{next.surface->surface, next.surface->passive,
                                        state.position, state.direction, state.momentum,
                                        result.path, x_over_x0});

    // 3. Material: conversion of photons; scattering and energy loss of charged particles.
    if (kinematics.is_photon && config_.photon_conversions &&
        rng.accept(conversion_probability(x_over_x0))) {
      result.reason = StopReason::kConverted;
      return result;
    }
    if (charged && config_.material_effects) {
      const double theta0 = highland_theta0(state.momentum, kinematics.mass, state.charge, x_over_x0);
      state.direction = scatter_direction(state.direction, theta0, rng);
      const double energy = std::hypot(state.momentum, kinematics.mass);
      const double loss = mean_energy_loss(energy, state.momentum, kinematics.mass, state.charge,
                                           x_over_x0, kinematics.is_electron);
      const double remaining = energy - loss;
      if (remaining <= kinematics.mass) {
        state.momentum = 0.0;
        result.reason = StopReason::kStopped;
        return result;
      }
      state.momentum = std::sqrt(remaining * remaining - kinematics.mass * kinematics.mass);
      if (state.pt() < config_.min_pt) {
        result.reason = StopReason::kBelowMinPt;
        return result;
      }
    }
  }
  // NOTE: only reached if the crossing search stops advancing; treated as a looper.
  result.reason = StopReason::kMaxHalfTurns;
  return result;
}

}  // namespace trackpurity::sim
