#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/event.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/reco/detector.hpp"
#include "trackpurity/reco/hit_index.hpp"
#include "trackpurity/reco/kalman.hpp"
#include "trackpurity/reco/seeding.hpp"

namespace trackpurity::reco {

// Combinatorial Kalman filter settings of one iteration.
struct TrackFindingConfig {
  int max_branches = 3;             // branches kept per seed after each layer
  int max_hits_per_layer = 2;       // compatible hits that each open a branch
  double max_chi2 = 20.0;           // chi2 gate of a hit (2 degrees of freedom)
  int max_consecutive_missing = 2;  // stop after this many missing layers in a row
  int min_hits = 5;                 // valid hits a candidate needs
  int max_steps = 64;               // surfaces followed per candidate at most
  double max_chi2_per_ndof = 1e9;   // chi2 / (2 valid hits - 5) of a candidate at most
};

// Primary-vertex finding by gap clustering of track z0.
struct VertexFinderConfig {
  double max_gap = 0.1 * units::cm;          // a larger gap in z0 starts a new cluster
  int min_tracks = 3;                        // tracks a vertex needs
  double min_track_pt = 0.9 * units::GeV;    // tracks used
  double max_track_dxy = 0.1 * units::cm;    // |dxy| of tracks used
  double max_track_dz_error = 0.5 * units::cm;

  void validate() const;
};

// Settings of the whole reconstruction. defaults() is tuned for pileup-200
// events of the Phase-2-like geometry (docs/reconstruction.md has the
// measured rates and timing).
struct ReconstructionConfig {
  SeedingConfig prompt_seeding;            // pixel triplets from the beam line
  SeedingConfig displaced_seeding;         // outer pixel and PS barrel triplets without beam line
  SeedingConfig forward_displaced_seeding; // pixel-disk triplets without beam line, same iteration
  TrackFindingConfig prompt_finding;
  TrackFindingConfig displaced_finding;
  bool run_displaced = true;
  // Hits of prompt tracks with at least this many valid hits are masked for
  // the displaced iteration.
  int mask_min_hits = 5;
  // A candidate sharing more than this fraction of its hits with a better one is removed.
  double max_shared_fraction = 0.5;
  // Seeds whose hits are all used by earlier candidates of the iteration are skipped.
  bool skip_used_seeds = true;
  FitConfig fit;
  HitIndexConfig hit_index;
  VertexFinderConfig vertex_finder;

  // The defaults of both iterations.
  static ReconstructionConfig defaults();
  // Throws ConfigError naming the first invalid member.
  void validate() const;
};

// Counters of one event, summed by callers over events.
struct ReconstructionCounters {
  std::uint64_t seeds = 0;                // both iterations
  std::uint64_t displaced_seeds = 0;
  std::uint64_t truncated_seedings = 0;   // seedings stopped by max_seeds or max_pairs
  std::uint64_t candidates = 0;
  std::uint64_t removed_by_ambiguity = 0;
  std::uint64_t failed_fits = 0;
  std::uint64_t tracks = 0;
};

// Track reconstruction of one event: two seeding iterations, combinatorial
// Kalman filter, ambiguity resolution, final fit and primary vertices.
// Construct once per thread (it owns the hit index).
class Reconstructor {
 public:
  Reconstructor(const geometry::Geometry& geometry, ReconstructionConfig config);

  // Replaces event.tracks and event.vertices. An event without hits gives no tracks.
  ReconstructionCounters reconstruct(edm::Event& event);

  const ReconstructionConfig& config() const noexcept { return config_; }

 private:
  struct Candidate {
    std::vector<std::uint32_t> hits;
    std::vector<edm::HitPatternEntry> pattern;
    double chi2 = 0.0;
    int valid = 0;
    edm::Iteration iteration = edm::Iteration::kPrompt;
    Vector6 seed_free = Vector6::Zero();  // seed helix at the first hit, the fit's start
  };

  void run_iteration(std::span<const edm::Hit> hits, std::span<const TripletSeeder* const> seeders,
                     const TrackFindingConfig& finding, edm::Iteration iteration,
                     std::vector<Candidate>& candidates, ReconstructionCounters& counters,
                     std::uint64_t event_number);
  bool follow(std::span<const edm::Hit> hits, const Seed& seed, const TrackFindingConfig& finding,
              Candidate& result);

  const geometry::Geometry* geometry_;
  ReconstructionConfig config_;
  DetectorModel detector_;
  HitIndex index_;
  TripletSeeder prompt_seeder_;
  TripletSeeder displaced_seeder_;
  TripletSeeder forward_displaced_seeder_;
  std::vector<std::uint8_t> masked_;
  std::vector<std::uint8_t> used_;
};

// Removes candidates that share more than `max_shared_fraction` of their
// hits with a better candidate (more hits, then lower chi2/ndof). Returns the
// indices of the kept candidates in the order of quality.
std::vector<std::size_t> resolve_ambiguities(std::span<const std::vector<std::uint32_t>> hit_lists,
                                             std::span<const double> chi2, double max_shared_fraction,
                                             std::size_t hit_count);

// Primary vertices from the tracks' z0, sorted by decreasing sum of pT^2.
std::vector<edm::Vertex> find_vertices(std::span<const edm::Track> tracks,
                                       const edm::BeamSpot& beam_spot,
                                       const VertexFinderConfig& config);

}  // namespace trackpurity::reco
