#pragma once

#include <array>
#include <optional>
#include <cstdint>
#include <span>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/hit.hpp"
#include "trackpurity/reco/detector.hpp"
#include "trackpurity/reco/hit_index.hpp"

namespace trackpurity::reco {

// Sensitive surfaces of a seeding iteration.
enum class SeedingLayers : std::uint8_t {
  kPixel,          // Inner Tracker barrel layers and disks
  // Third and fourth pixel barrel layers and the Outer-Tracker PS barrel
  // layers. Disks are left out because, without a beam-line constraint and
  // with |d0| up to several cm, their pileup-200 hit density gives more
  // random triplets than the track finder can follow. kPixelDisks with a
  // smaller max_d0 covers the pixel disks.
  kOuterBarrel,
  kPixelDisks,     // Inner Tracker disks (TFPX and TEPX)
};

struct SeedingConfig {
  SeedingLayers layers = SeedingLayers::kPixel;
  double pt_min = 0.9 * units::GeV;          // minimum transverse momentum of the seed circle
  double pt_tolerance = 0.1;                 // relative margin on pt_min in the windows and cuts
  double max_d0 = 0.2 * units::cm;           // maximum |transverse impact parameter| of the circle
  double max_z0 = 17.2 * units::cm;          // maximum |z| at the beam line, 4 sigma_z of 4.3 cm
  // The third-hit window follows the circle through the origin and the
  // first two hits (true), or the straight line through the first two hits
  // widened by the largest sagitta above pt_min (false). Both iterations
  // require the r-z line of the first two hits to pass within max_z0 of the
  // origin.
  bool beam_constraint = true;
  // Only the first `start_layers` surfaces that straight lines from the
  // layer-scan origins cross may hold the first seed hit; 0 allows any.
  int start_layers = 2;
  // Layer triplets that skip one surface, for tracks with a missing hit.
  bool skip_layers = true;
  double rz_tolerance = 0.05 * units::cm;    // base tolerance of the third hit on the r-z line
  double phi_margin = 0.003 * units::rad;    // margin added to every azimuth window
  // Extra origins along z (prompt) or radii (displaced) for finding the layer
  // triplets tracks cross.
  double max_vertex_radius = 10.0 * units::cm;  // used without beam_constraint

  // Confirmation: the seed helix is extrapolated from its third hit to the
  // next `confirmation_surfaces` active surfaces it crosses. The seed is
  // kept only with a compatible hit on `confirmation_hits` of them, which
  // with one hit makes a quadruplet as in the CMS Phase-2 pixel tracks.
  // 0 surfaces keep unconfirmed triplets.
  int confirmation_surfaces = 2;
  int confirmation_hits = 1;
  double confirmation_max_chi2 = 16.0;  // chi2 of each confirmation hit, 2 degrees of freedom
  // Radiation length fraction assumed between the third and the fourth hit
  // for the scattering part of the confirmation window.
  double confirmation_x_over_x0 = 0.04;
  int max_seeds_per_pair = 2;   // third hits kept per first-second hit pair, best first
  int max_seeds = 40000;        // seeds per event and iteration; the rest are dropped
  // First-second hit pairs searched per event and iteration: a bound on the
  // seeding time of unusually dense events (pileup-200 events need about 2
  // million per iteration).
  std::int64_t max_pairs = 10000000;

  // Throws ConfigError naming the first invalid member.
  void validate() const;
};

// Three hits (positions in the event's hit list) and the helix through them
// at the first hit.
struct Seed {
  std::array<std::uint32_t, 3> hits{};
  Vector6 free = Vector6::Zero();
  double chi2 = 0.0;  // chi2 of the confirmation hit (0 without confirmation)
};

// Counters of one call of TripletSeeder::find().
struct SeedingCounters {
  std::uint64_t pairs = 0;        // first-second hit pairs inside the windows
  std::uint64_t triplets = 0;     // triplets that passed the pT and impact-parameter cuts
  std::uint64_t unconfirmed = 0;  // triplets without a fourth hit
  bool truncated = false;         // max_seeds or max_pairs was reached and the search stopped
};

// Radius, z and azimuth of a hit, as the seeding windows use them.
struct HitCoordinates {
  double r = 0.0;
  double z = 0.0;
  double phi = 0.0;
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
  const SeedingConfig& config() const noexcept { return config_; }

  // Seeds from unmasked hits. `masked` has one entry per hit (nonzero =
  // unusable) or is empty. Appends to `seeds`.
  // At most max_seeds seeds are appended, and the search stops after
  // max_pairs hit pairs.
  SeedingCounters find(std::span<const edm::Hit> hits, const HitIndex& index,
                       std::span<const std::uint8_t> masked, std::vector<Seed>& seeds) const;

  // Searches the next `confirmation_surfaces` active surfaces that the helix
  // `free` (at the third seed hit, on surface `third_surface`) crosses for
  // unmasked compatible hits. Returns the summed chi2 of the best hit on the
  // first `confirmation_hits` surfaces that have one, or nothing when fewer
  // surfaces have one.
  std::optional<double> confirm(const Vector6& free, int third_surface,
                                std::span<const edm::Hit> hits, const HitIndex& index,
                                std::span<const std::uint8_t> masked) const;

 private:
  // Seeds of layer triplets that share their first two surfaces.
  void find_on(std::span<const LayerTriplet> group, std::span<const edm::Hit> hits,
               std::span<const HitCoordinates> hit_coordinates, const HitIndex& index,
               std::span<const std::uint8_t> masked, std::vector<Seed>& seeds,
               SeedingCounters& counters, std::size_t limit) const;
  bool uses_surface(const geometry::Surface& surface) const noexcept;

  // Surfaces that follow a surface within kFollowerDepth crossings on some
  // straight line of the layer-triplet scan, kMaxFollowers at most.
  static constexpr std::size_t kFollowerDepth = 3;
  static constexpr std::size_t kMaxFollowers = 48;

  const DetectorModel* detector_;
  SeedingConfig config_;
  std::vector<LayerTriplet> triplets_;
  std::vector<std::vector<std::uint16_t>> followers_;  // indexed by surface id
};

// The helix through three points, or nothing when they are collinear.
// Returned at the first point, moving towards the others.
std::optional<Vector6> helix_through(const edm::Vector3& a, const edm::Vector3& b,
                                     const edm::Vector3& c, double field_constant) noexcept;

}  // namespace trackpurity::reco
