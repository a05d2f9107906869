#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/event.hpp"
#include "trackpurity/selection/cut_classifier.hpp"
#include "trackpurity/truth/association.hpp"
#include "trackpurity/validation/histogram.hpp"

namespace trackpurity::validation {

// The track collections compared: all reconstructed tracks, those the network
// keeps and those the cut-based high-purity selection keeps.
enum Collection : std::uint8_t { kAllTracks = 0, kNetwork = 1, kCutBased = 2, kCollectionCount = 3 };

std::string_view to_string(Collection collection) noexcept;

struct ValidationConfig {
  // |dxy_bs| above which a track counts as displaced for the score distributions.
  double displaced_dxy_cut = 0.5 * units::cm;
  // Selection efficiency of genuine tracks at which the network is quoted.
  double target_recall = 0.995;
  // The network selection validated, in words: the model and its keep rule.
  // report.md and metrics.json ("selection") carry it when it is not empty.
  std::string selection_description;
};

// Per-event inputs: the event with particles, hits, tracks and truth, and one
// entry per track of the network score, its keep flag, the cut-based quality
// and dxy to the beam spot.
struct EventInputs {
  const edm::Event* event = nullptr;
  std::span<const float> scores;
  std::span<const std::uint8_t> keep;
  std::span<const selection::Quality> cut_quality;
  std::span<const float> dxy_bs;
};

// Rates of one collection: MultiTrackValidator counts for prompt and
// displaced particles, and the track-level recall (genuine tracks kept /
// genuine tracks).
struct CollectionSummary {
  truth::RateCounts prompt;     // efficiency selection, |eta| < 2.4
  truth::RateCounts forward;    // efficiency selection, 2.4 < |eta| < 3.5
  truth::RateCounts displaced;  // K0S and Lambda daughters at 0.5-10 cm
  std::uint64_t genuine_tracks_kept = 0;
  std::uint64_t genuine_tracks = 0;
  double recall() const noexcept;
};

// A particle that some reconstructed track finds but no track of the network
// selection does: one unit of the network's efficiency loss. The best track
// is the particle's genuine track with the highest score.
struct LostParticle {
  std::uint64_t event = 0;
  std::uint32_t particle = 0;  // id within the event
  std::int32_t pdg_id = 0;
  std::int32_t parent_pdg_id = 0;  // 0 for a particle without parent
  double pt = 0.0;
  double eta = 0.0;
  double production_radius = 0.0;
  float best_score = 0.0F;
  float best_dxy_bs = 0.0F;
  double best_normalized_chi2 = 0.0;
  std::uint32_t best_hits = 0;
};

// Accumulates MTV-style rates, histograms, scores and ROC inputs over events,
// then writes plots, report.md and metrics.json. Not thread-safe: add events
// from one thread.
class Validator {
 public:
  explicit Validator(ValidationConfig config = {});

  // Adds one event. Throws std::invalid_argument when an input array does not
  // have one entry per track, or when the event has tracks without truth.
  void add(const EventInputs& inputs);

  std::uint64_t events() const noexcept { return events_; }
  const CollectionSummary& summary(Collection collection) const noexcept {
    return summaries_[collection];
  }
  // Particles of the prompt and displaced selections lost by the network selection.
  const std::vector<LostParticle>& lost_prompt() const noexcept { return lost_prompt_; }
  const std::vector<LostParticle>& lost_displaced() const noexcept { return lost_displaced_; }
  double auc() const;
  double auc_error() const;
  // The headline numbers: auc, dnn.recall, dnn.fake_rate, cut.recall,
  // cut.fake_rate, dnn_fake_rate_at_cut_recall, efficiency_loss_prompt,
  // efficiency_loss_displaced, with the counts behind them and the lost
  // particles.
  nlohmann::json metrics() const;

  // Writes the PNG plots (gnuplot), report.md embedding them and metrics.json
  // into `directory`. Throws std::runtime_error when a plot cannot be made.
  void write_report(const std::filesystem::path& directory) const;

 private:
  struct Histograms {
    RatioHistogram efficiency_pt;
    RatioHistogram efficiency_eta;
    RatioHistogram efficiency_radius;
    RatioHistogram fake_pt;
    RatioHistogram fake_eta;
    RatioHistogram fake_phi;
    RatioHistogram fake_dxy;
    RatioHistogram fake_hits;
    RatioHistogram duplicate_pt;
    RatioHistogram duplicate_eta;
  };
  static Histograms make_histograms();

  ValidationConfig config_;
  std::uint64_t events_ = 0;
  std::array<CollectionSummary, kCollectionCount> summaries_{};
  std::vector<Histograms> histograms_;
  std::vector<float> scores_;
  std::vector<std::uint8_t> genuine_;
  std::vector<std::uint8_t> displaced_;
  std::vector<std::uint8_t> quality_;  // selection::Quality per track
  std::vector<LostParticle> lost_prompt_;
  std::vector<LostParticle> lost_displaced_;
};

}  // namespace trackpurity::validation
