#include "trackpurity/reco/hit_index.hpp"

#include <algorithm>

#include "trackpurity/core/error.hpp"

namespace trackpurity::reco {

void HitIndexConfig::validate() const {
  if (phi_bins < 1 || phi_bins > 100000) {
    throw ConfigError("hit index phi_bins must be in [1, 100000], found " + std::to_string(phi_bins));
  }
  if (!(cylinder_z_bin > 0.0)) {
    throw ConfigError("hit index cylinder_z_bin must be positive, found " +
                      std::to_string(cylinder_z_bin));
  }
  if (!(disk_r_bin > 0.0)) {
    throw ConfigError("hit index disk_r_bin must be positive, found " + std::to_string(disk_r_bin));
  }
}

HitIndex::HitIndex(const geometry::Geometry& geometry, HitIndexConfig config) : config_(config) {
  config_.validate();
  std::uint32_t next_bin = 0;
  for (const geometry::Surface& surface : geometry.surfaces()) {
    SurfaceBins bins;
    if (surface.is_disk()) {
      bins.coordinate_min = surface.r_min;
      bins.coordinate_bins =
          std::max(1, static_cast<int>(std::ceil((surface.r_max - surface.r_min) / config_.disk_r_bin)));
      bins.coordinate_width = (surface.r_max - surface.r_min) / bins.coordinate_bins;
    } else {
      bins.coordinate_min = -surface.half_length;
      bins.coordinate_bins =
          std::max(1, static_cast<int>(std::ceil(2.0 * surface.half_length / config_.cylinder_z_bin)));
      bins.coordinate_width = 2.0 * surface.half_length / bins.coordinate_bins;
    }
    bins.first_bin = next_bin;
    next_bin += static_cast<std::uint32_t>(bins.coordinate_bins * config_.phi_bins);
    surfaces_.push_back(bins);
    is_disk_.push_back(surface.is_disk() ? 1 : 0);
  }
  bin_start_.assign(next_bin + 1, 0);
}

int HitIndex::phi_bin(double phi) const noexcept {
  double wrapped = std::fmod(phi, 2.0 * std::numbers::pi);
  if (wrapped < 0.0) {
    wrapped += 2.0 * std::numbers::pi;
  }
  const int bin = static_cast<int>(wrapped / (2.0 * std::numbers::pi) * config_.phi_bins);
  return std::clamp(bin, 0, config_.phi_bins - 1);
}

int HitIndex::coordinate_bin(const SurfaceBins& bins, double coordinate) const noexcept {
  const double position = (coordinate - bins.coordinate_min) / bins.coordinate_width;
  if (!(position > 0.0)) {
    return 0;
  }
  return std::min(static_cast<int>(position), bins.coordinate_bins - 1);
}

void HitIndex::build(std::span<const edm::Hit> hits) {
  // Counting sort by bin: count, prefix sum, fill.
  std::fill(bin_start_.begin(), bin_start_.end(), 0);
  constexpr std::uint32_t kSkipped = 0xFFFFFFFFU;
  bin_of_hit_.resize(hits.size());
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const edm::Hit& hit = hits[i];
    if (hit.layer_id >= surfaces_.size()) {
      bin_of_hit_[i] = kSkipped;
      continue;
    }
    const SurfaceBins& bins = surfaces_[hit.layer_id];
    const double coordinate = is_disk_[hit.layer_id] != 0 ? hit.position.perp() : hit.position.z;
    const int phi = phi_bin(hit.position.phi());
    const std::uint32_t bin = bins.first_bin +
                              static_cast<std::uint32_t>(phi * bins.coordinate_bins +
                                                         coordinate_bin(bins, coordinate));
    bin_of_hit_[i] = bin;
    ++bin_start_[bin + 1];
  }
  for (std::size_t bin = 1; bin < bin_start_.size(); ++bin) {
    bin_start_[bin] += bin_start_[bin - 1];
  }
  entries_.resize(bin_start_.back());
  cursor_.assign(bin_start_.begin(), bin_start_.end() - 1);
  for (std::size_t i = 0; i < hits.size(); ++i) {
    if (bin_of_hit_[i] != kSkipped) {
      entries_[cursor_[bin_of_hit_[i]]++] = static_cast<std::uint32_t>(i);
    }
  }
}

std::size_t HitIndex::hit_count(std::uint16_t surface_id) const noexcept {
  if (surface_id >= surfaces_.size()) {
    return 0;
  }
  const SurfaceBins& bins = surfaces_[surface_id];
  const std::uint32_t end = bins.first_bin + static_cast<std::uint32_t>(bins.coordinate_bins * config_.phi_bins);
  return bin_start_[end] - bin_start_[bins.first_bin];
}

}  // namespace trackpurity::reco
