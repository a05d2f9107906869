#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <span>
#include <vector>

#include "trackpurity/edm/hit.hpp"
#include "trackpurity/geometry/geometry.hpp"

namespace trackpurity::reco {

struct HitIndexConfig {
  int phi_bins = 128;                      // azimuth bins per surface
  double cylinder_z_bin = 2.0;             // bin width along z on cylinders [cm]
  double disk_r_bin = 1.0;                 // bin width along r on disks [cm]

  // Throws ConfigError naming the first invalid member.
  void validate() const;
};

// Hits of one event binned per surface in (phi, z) on cylinders and (phi, r)
// on disks, for neighbour searches. build() reuses its storage, and queries
// allocate nothing.
class HitIndex {
 public:
  HitIndex(const geometry::Geometry& geometry, HitIndexConfig config = {});

  // Indexes `hits`; queries return positions in this span. Hits whose
  // layer_id is not a surface of the geometry are skipped.
  void build(std::span<const edm::Hit> hits);

  // Calls visit(hit_position) for each hit of `surface_id` with azimuth within
  // `phi_half_width` of `phi` and z (cylinders) or r (disks) in
  // [coordinate_min, coordinate_max]. Bins are visited whole, so the caller
  // applies its own exact cut.
  template <typename Visitor>
  void for_each(std::uint16_t surface_id, double phi, double phi_half_width, double coordinate_min,
                double coordinate_max, Visitor&& visit) const;

  std::size_t hit_count(std::uint16_t surface_id) const noexcept;

 private:
  struct SurfaceBins {
    int coordinate_bins = 1;
    double coordinate_min = 0.0;
    double coordinate_width = 1.0;
    std::uint32_t first_bin = 0;
  };

  int phi_bin(double phi) const noexcept;
  int coordinate_bin(const SurfaceBins& bins, double coordinate) const noexcept;

  HitIndexConfig config_;
  std::vector<SurfaceBins> surfaces_;
  std::vector<std::uint8_t> is_disk_;
  std::vector<std::uint32_t> bin_start_;  // one past the last bin: total bins + 1 entries
  std::vector<std::uint32_t> entries_;    // hit positions ordered by bin
  std::vector<std::uint32_t> bin_of_hit_;
  std::vector<std::uint32_t> cursor_;     // fill position per bin during build()
};

template <typename Visitor>
void HitIndex::for_each(std::uint16_t surface_id, double phi, double phi_half_width,
                        double coordinate_min, double coordinate_max, Visitor&& visit) const {
  if (surface_id >= surfaces_.size() || coordinate_max < coordinate_min) {
    return;
  }
  const SurfaceBins& bins = surfaces_[surface_id];
  const int first_coordinate = coordinate_bin(bins, coordinate_min);
  const int last_coordinate = coordinate_bin(bins, coordinate_max);
  const int phi_bins = config_.phi_bins;
  const double bin_width = 2.0 * std::numbers::pi / phi_bins;
  int first_phi = 0;
  int phi_count = phi_bins;
  if (phi_half_width < std::numbers::pi) {
    first_phi = phi_bin(phi - phi_half_width);
    const int last_phi = phi_bin(phi + phi_half_width);
    phi_count = (last_phi - first_phi + phi_bins) % phi_bins + 1;
    if (2.0 * phi_half_width + bin_width >= 2.0 * std::numbers::pi) {
      phi_count = phi_bins;
    }
  }
  for (int k = 0; k < phi_count; ++k) {
    const int phi_index = (first_phi + k) % phi_bins;
    const std::uint32_t row = bins.first_bin + static_cast<std::uint32_t>(phi_index * bins.coordinate_bins);
    const std::uint32_t begin = bin_start_[row + static_cast<std::uint32_t>(first_coordinate)];
    const std::uint32_t end = bin_start_[row + static_cast<std::uint32_t>(last_coordinate) + 1];
    for (std::uint32_t entry = begin; entry < end; ++entry) {
      visit(entries_[entry]);
    }
  }
}

}  // namespace trackpurity::reco
