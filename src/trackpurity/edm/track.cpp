#include "trackpurity/edm/track.hpp"

#include <bitset>
#include <cmath>
#include <numbers>

namespace trackpurity::edm {

double Track::p() const noexcept {
  return parameters[eQOverP] != 0.0 ? 1.0 / std::abs(parameters[eQOverP]) : 0.0;
}

double Track::pt() const noexcept { return p() * std::cos(parameters[eLambda]); }

double Track::eta() const noexcept { return std::asinh(std::tan(parameters[eLambda])); }

double Track::theta() const noexcept { return std::numbers::pi / 2.0 - parameters[eLambda]; }

Vector3 Track::momentum() const noexcept {
  const double transverse = pt();
  return {transverse * std::cos(parameters[ePhi]), transverse * std::sin(parameters[ePhi]),
          p() * std::sin(parameters[eLambda])};
}

double Track::dxy(const Vector3& point) const noexcept {
  const Vector3 mom = momentum();
  const double transverse = mom.perp();
  return (-(reference_point.x - point.x) * mom.y + (reference_point.y - point.y) * mom.x) /
         transverse;
}

double Track::dz(const Vector3& point) const noexcept {
  const Vector3 mom = momentum();
  const double transverse = mom.perp();
  return (reference_point.z - point.z) -
         ((reference_point.x - point.x) * mom.x + (reference_point.y - point.y) * mom.y) /
             transverse * mom.z / transverse;
}

double Track::dxy_error() const noexcept { return std::sqrt(covariance(eDxy, eDxy)); }

double Track::dz_error() const noexcept {
  return std::sqrt(covariance(eDsz, eDsz)) / std::cos(parameters[eLambda]);
}

double Track::eta_error() const noexcept {
  return std::sqrt(covariance(eLambda, eLambda)) / std::cos(parameters[eLambda]);
}

double Track::phi_error() const noexcept { return std::sqrt(covariance(ePhi, ePhi)); }

double Track::normalized_chi2() const noexcept {
  return ndof != 0 ? chi2 / static_cast<double>(ndof) : chi2 * 1e6;
}

TrackParameters parameters_from_state(const Vector3& reference_point, const Vector3& momentum,
                                      int charge) noexcept {
  const double p = momentum.norm();
  const double pt = momentum.perp();
  TrackParameters parameters{};
  parameters[eQOverP] = static_cast<double>(charge) / p;
  parameters[eLambda] = std::atan2(momentum.z, pt);
  parameters[ePhi] = std::atan2(momentum.y, momentum.x);
  parameters[eDxy] = (-reference_point.x * momentum.y + reference_point.y * momentum.x) / pt;
  parameters[eDsz] = reference_point.z * pt / p -
                     (reference_point.x * momentum.x + reference_point.y * momentum.y) / pt *
                         momentum.z / p;
  return parameters;
}

namespace {

// Layers are keyed by (subdetector, layer number); 32 layers per subdetector
// is more than any tracker here has.
constexpr std::size_t kLayerKeySpace = 8 * 32;

std::size_t layer_key(const HitPatternEntry& entry) noexcept {
  return static_cast<std::size_t>(entry.subdetector) * 32 + (entry.layer & 31U);
}

}  // namespace

HitPatternSummary summarize(const std::vector<HitPatternEntry>& pattern) noexcept {
  HitPatternSummary summary;

  // 1. Locate the first and last valid hit; missing hits are inner, outer or
  //    between relative to them.
  std::ptrdiff_t first_valid = -1;
  std::ptrdiff_t last_valid = -1;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i].type == HitType::kValid) {
      if (first_valid < 0) {
        first_valid = static_cast<std::ptrdiff_t>(i);
      }
      last_valid = static_cast<std::ptrdiff_t>(i);
    }
  }

  std::bitset<kLayerKeySpace> valid_layers;
  std::bitset<kLayerKeySpace> valid_pixel_layers;
  std::bitset<kLayerKeySpace> missing_between_layers;

  // 2. Count hits by type and position, and collect the layers of each kind.
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const HitPatternEntry& entry = pattern[i];
    const auto index = static_cast<std::ptrdiff_t>(i);
    const std::size_t key = layer_key(entry);
    switch (entry.type) {
      case HitType::kValid:
        ++summary.valid_hits;
        valid_layers.set(key);
        if (is_inner_tracker(entry.subdetector)) {
          ++summary.valid_pixel_hits;
          valid_pixel_layers.set(key);
        } else {
          ++summary.valid_strip_hits;
        }
        break;
      case HitType::kMissing:
        if (first_valid < 0 || index < first_valid) {
          ++summary.lost_inner_hits;
        } else if (index > last_valid) {
          ++summary.lost_outer_hits;
        } else {
          ++summary.lost_hits;
          missing_between_layers.set(key);
        }
        break;
      case HitType::kInactive:
        ++summary.inactive_hits;
        break;
      case HitType::kBad:
        break;
    }
  }

  // 3. A layer counts once; a layer with any valid hit has a measurement.
  summary.layers_with_measurement = static_cast<int>(valid_layers.count());
  summary.pixel_layers_with_measurement = static_cast<int>(valid_pixel_layers.count());
  summary.layers_without_measurement =
      static_cast<int>((missing_between_layers & ~valid_layers).count());
  return summary;
}

}  // namespace trackpurity::edm
