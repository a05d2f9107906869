#include "trackpurity/sim/digitizer.hpp"

#include <cmath>

namespace trackpurity::sim {

Digitizer::Digitizer(const geometry::Geometry& geometry, DigitizerConfig config)
    : geometry_(geometry), config_(config) {}

DigitizeResult Digitizer::digitize(const SurfaceCrossing& crossing, std::int32_t particle,
                                   Rng& rng) const {
  DigitizeResult result;
  if (crossing.surface < 0) {
    result.outcome = DigitizeOutcome::kNotSensitive;
    return result;
  }
  const geometry::Surface& surface = geometry_.surfaces()[static_cast<std::size_t>(crossing.surface)];
  const auto module = geometry_.locate(surface, crossing.position);
  if (!module) {
    result.outcome = DigitizeOutcome::kOutsideModules;
    return result;
  }
  if (!module->active) {
    result.outcome = DigitizeOutcome::kInactiveModule;
    return result;
  }
  if (config_.apply_hit_efficiency && !rng.accept(surface.hit_efficiency)) {
    result.outcome = DigitizeOutcome::kInefficiency;
    return result;
  }

  const geometry::SensorSpec& sensor = geometry_.sensor(module->sensor);
  edm::Hit& hit = result.hit;
  hit.module_id = module->module_id;
  hit.layer_id = surface.id;
  hit.subdetector = surface.subdetector;
  hit.layer = surface.layer;
  hit.sigma_u = sensor.sigma_u;
  hit.sigma_v = sensor.sigma_v;
  hit.particle = particle;
  hit.true_position = crossing.position;
  hit.position = crossing.position;
  if (!config_.smear) {
    return result;
  }

  const double du = sensor.sigma_u * rng.gaussian();
  const double dv = sensor.sigma_v * rng.gaussian();
  const double r = crossing.position.perp();
  const double phi = crossing.position.phi();
  if (surface.is_disk()) {
    // u along r-phi at the crossing radius, v along r; z is the disk's.
    const double measured_r = r + dv;
    const double measured_phi = phi + du / r;
    hit.position = {measured_r * std::cos(measured_phi), measured_r * std::sin(measured_phi),
                    crossing.position.z};
  } else {
    // u along r-phi on the cylinder, v along z; r is the cylinder's.
    const double measured_phi = phi + du / r;
    hit.position = {r * std::cos(measured_phi), r * std::sin(measured_phi),
                    crossing.position.z + dv};
  }
  return result;
}

}  // namespace trackpurity::sim
