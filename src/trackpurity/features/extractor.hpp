#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/edm/event.hpp"
#include "trackpurity/features/feature_set.hpp"
#include "trackpurity/features/feature_table.hpp"

namespace trackpurity::features {

// Policy for a feature value that is NaN or infinite after conversion to
// float32 (so a double beyond the float range counts as infinite).
enum class NonFinitePolicy : std::uint8_t {
  kRejectEvent,  // return an error naming the event number, the track index and the feature
  kFlagTrack,    // keep the value, set the track's flag; the selection gives it score 0
};

struct ExtractorConfig {
  // Policy for non-finite feature values.
  NonFinitePolicy non_finite = NonFinitePolicy::kFlagTrack;
};

// Counters accumulated over every event given to an extractor.
struct NonFiniteCounts {
  std::vector<std::uint64_t> per_feature;  // non-finite values per column of the feature set
  std::uint64_t flagged_tracks = 0;        // tracks flagged under kFlagTrack
  std::uint64_t rejected_events = 0;       // events rejected under kRejectEvent
  std::uint64_t events = 0;                // events processed, rejected ones included
  std::uint64_t tracks = 0;                // tracks processed
};

// Computes the features of a set for every track of an event. Each column's
// feature is resolved once, at construction, and evaluated by index per track.
// After the table has grown to the largest event, compute() allocates nothing.
// It updates its counters, so use one extractor per thread.
class FeatureExtractor {
 public:
  explicit FeatureExtractor(FeatureSet feature_set, ExtractorConfig config = {});

  const FeatureSet& feature_set() const noexcept { return feature_set_; }
  const ExtractorConfig& config() const noexcept { return config_; }

  // Fills `table` with one row per track of `event`. The table must use the
  // extractor's feature set, else ConfigError. Under kRejectEvent a non-finite
  // value stops the event with ErrorCode::kNonFinite, and the table then has
  // unspecified values.
  Status compute(const edm::Event& event, FeatureTable& table);

  const NonFiniteCounts& counts() const noexcept { return counts_; }

 private:
  FeatureSet feature_set_;
  ExtractorConfig config_;
  NonFiniteCounts counts_;
};

// The vertex that the *_pv features are measured to: the vertex with the
// largest sum of squared track pT (the first one on a tie), or the beam-spot
// position when the event has no vertex.
edm::Vector3 best_vertex_position(const edm::Event& event) noexcept;

// Layers crossed before the first (inner) or after the last (outer) valid hit
// whose every hit there is inactive or bad, as
// reco::HitPattern::trackerLayersTotallyOffOrBad for the MISSING_INNER_HITS and
// MISSING_OUTER_HITS categories. A pattern without valid hits has only inner entries.
struct LayersOff {
  int inner = 0;
  int outer = 0;
};
LayersOff count_layers_off(std::span<const edm::HitPatternEntry> pattern) noexcept;

// pT uncertainty from the covariance, as reco::TrackBase::ptError:
// sqrt((pT p / q)^2 C[q/p][q/p] + 2 (pT p / q) pz C[q/p][lambda] + pz^2 C[lambda][lambda]),
// and 1000 GeV (a variance of 1e6) for a neutral track.
double pt_error(const edm::Track& track) noexcept;

}  // namespace trackpurity::features
