#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/hit.hpp"
#include "trackpurity/reco/detector.hpp"
#include "trackpurity/reco/hit_index.hpp"

namespace trackpurity::reco {

// Which sensitive surfaces a seeding iteration uses.
enum class SeedingLayers : std::uint8_t {
  kPixel,          // Inner Tracker barrel layers and disks
  kOuterPixel,     // Inner Tracker from the third barrel layer out, plus Outer-Tracker PS layers
};

struct SeedingConfig {
  SeedingLayers layers = SeedingLayers::kPixel;
  double pt_min = 0.9 * units::GeV;          // minimum transverse momentum of the seed circle
  double pt_tolerance = 0.1;                 // relative margin on pt_min in the windows and cuts
  double max_d0 = 0.2 * units::cm;           // maximum |transverse impact parameter| of the circle
  double max_z0 = 17.2 * units::cm;          // maximum |z| at the beam line, 4 sigma_z of 4.3 cm
  // Straight lines from the beam line (true) or from anywhere within max_d0
  // and max_z0 (false) define the windows of the second hit.
  bool beam_constraint = true;
  // Only the first `start_layers` surfaces a track crosses may hold its first
  // seed hit (with beam_constraint); 0 allows any.
  int start_layers = 2;
  double rz_tolerance = 0.05 * units::cm;    // base tolerance of the third hit on the r-z line
  double phi_margin = 0.003 * units::rad;    // margin added to every azimuth window
  // Extra origins along z (prompt) or radii (displaced) for finding the layer
  // triplets tracks cross.
  double max_vertex_radius = 10.0 * units::cm;  // used without beam_constraint

  // Throws ConfigError naming the first invalid member.
  void validate() const;
};

// Three hits (positions in the event's hit list) and the helix through them
// at the first hit.
struct Seed {
  std::array<std::uint32_t, 3> hits{};
  Vector6 free = Vector6::Zero();
};

// An ordered triple of surfaces that tracks cross.
using LayerTriplet = std::array<std::uint16_t, 3>;

// Finds hit triplets compatible with a helix of pT above pt_min and the
// impact-parameter cuts, on the layer triplets that straight tracks from the
// luminous region (or from displaced origins) cross.
class TripletSeeder {
 public:
  TripletSeeder(const DetectorModel& detector, SeedingConfig config);

  const std::vector<LayerTriplet>& layer_triplets() const noexcept { return triplets_; }

  // Seeds from unmasked hits. `masked` has one entry per hit (nonzero =
  // unusable) or is empty. Appends to `seeds`.
  void find(std::span<const edm::Hit> hits, const HitIndex& index,
            std::span<const std::uint8_t> masked, std::vector<Seed>& seeds) const;

 private:
  void find_on(const LayerTriplet& triplet, std::span<const edm::Hit> hits, const HitIndex& index,
               std::span<const std::uint8_t> masked, std::vector<Seed>& seeds) const;
  bool uses_surface(const geometry::Surface& surface) const noexcept;

  const DetectorModel* detector_;
  SeedingConfig config_;
  std::vector<LayerTriplet> triplets_;
};

// The helix through three points, or nothing when they are collinear.
// Returned at the first point, moving towards the others.
std::optional<Vector6> helix_through(const edm::Vector3& a, const edm::Vector3& b,
                                     const edm::Vector3& c, double field_constant) noexcept;

}  // namespace trackpurity::reco
