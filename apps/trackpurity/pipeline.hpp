#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "trackpurity/core/error.hpp"
#include "trackpurity/edm/event.hpp"
#include "trackpurity/features/extractor.hpp"
#include "trackpurity/features/feature_set.hpp"
#include "trackpurity/io/event_file.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/nn/engine.hpp"
#include "trackpurity/nn/model.hpp"
#include "trackpurity/selection/working_points.hpp"

// The scoring and selection pipeline behind `score`, `calibrate` and `select`.
// EventScorer computes features, network scores and keep flags for one event.
// for_each_event scores events in parallel while the calling thread reads and
// writes the event files in event order.

namespace trackpurity::cli {

// Inference engine of the scorer.
enum class EngineKind : std::uint8_t {
  kCpu,        // float32, BatchNorm folded, SIMD: production
  kReference,  // double precision, layer by layer: the definition of a correct score
  // libtorch in evaluation mode: the peer for agreement and speed comparisons.
  // NOTE: libtorch runs its own intra-op threads inside each oneTBB thread, so
  // --threads N may use more than N cores with this engine.
  kLibtorch,
};

std::string_view to_string(EngineKind kind) noexcept;

// Parses "cpu", "reference" or "libtorch". Throws ConfigError naming the
// value and the accepted ones.
EngineKind parse_engine_kind(std::string_view name);

// True when this build has the libtorch engine (built with TRACKPURITY_WITH_TORCH).
bool libtorch_engine_available() noexcept;

// Builds an engine of `kind` for `model`. Throws ConfigError for libtorch in a
// build without it, and FileError when the engine rejects the model.
std::unique_ptr<nn::Engine> make_engine(EngineKind kind, const nn::Model& model);

// Parses "flag" or "reject" (features::NonFinitePolicy). Throws ConfigError.
features::NonFinitePolicy parse_non_finite_policy(std::string_view name);
std::string_view to_string(features::NonFinitePolicy policy) noexcept;

// The feature set that a model reads: its feature names in its input order.
// Throws ConfigError naming the first feature that the features module cannot
// compute from tracks. `source` names the model in the message.
features::FeatureSet model_feature_set(const nn::Model& model, const std::string& source);

// The model's working points. Throws ConfigError, suggesting `trackpurity
// calibrate`, when the model has none, and FileError for malformed ones.
selection::WorkingPoints model_working_points(const nn::Model& model, const std::string& source);

struct ScorerConfig {
  // Inference engine.
  EngineKind engine = EngineKind::kCpu;
  // What a non-finite feature value does: flag the track (score 0, kept only
  // where a threshold is <= 0) or reject the whole event.
  features::NonFinitePolicy non_finite = features::NonFinitePolicy::kFlagTrack;
  // Whether to compute keep flags. The model must then have working points.
  bool keep_flags = false;
  // Name of the model in messages, usually its file path.
  std::string model_source = "<in-memory model>";
};

// Wall-clock time of each stage for one event, in seconds.
struct StageTimes {
  double features = 0.0;  // feature table
  double scoring = 0.0;   // network scores
  double flags = 0.0;     // zeroing flagged scores, dxy_bs and keep flags
};

// Per-track outputs of one event, aligned with event.tracks.
struct ScoredEvent {
  std::vector<float> scores;         // network score in [0, 1], or 0 for a flagged track
  std::vector<std::uint8_t> keep;    // 1 = kept; empty unless keep flags are on
  std::vector<float> dxy_bs;         // signed transverse impact parameter to the beam spot [cm]
  std::uint64_t tracks = 0;          // tracks of the event as scored, before any filtering
  std::uint64_t flagged_tracks = 0;  // tracks with a non-finite feature
  std::uint64_t kept_tracks = 0;     // tracks with keep = 1
  StageTimes times;
};

// Scores the tracks of one event with a model: its features (one extractor and
// one table per thread), the engine's scores, score 0 for flagged tracks, and
// keep flags from the model's working points. A const EventScorer may be used
// from any number of threads at once.
class EventScorer {
 public:
  // Resolves the model's features and builds the engine. Throws ConfigError
  // for a feature that the features module does not know, for a model without
  // working points when keep flags are on, and for an unavailable engine.
  // Throws FileError when the engine or the working points reject the model.
  EventScorer(const nn::Model& model, ScorerConfig config);
  ~EventScorer();

  EventScorer(const EventScorer&) = delete;
  EventScorer& operator=(const EventScorer&) = delete;

  const ScorerConfig& config() const noexcept;
  const features::FeatureSet& feature_set() const noexcept;
  const nn::Engine& engine() const noexcept;
  // The working points, when keep flags are on.
  const std::optional<selection::WorkingPoints>& working_points() const noexcept;

  // Scores every track of `event` in one pass, reading the tracks in place.
  // Returns the extractor's error (naming the event number, the track index
  // and the feature) when the policy is kRejectEvent and a feature is not finite.
  Result<ScoredEvent> score(const edm::Event& event) const;

  // Non-finite counters summed over every thread's extractor. Call it while no
  // score() runs.
  features::NonFiniteCounts non_finite_counts() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Counters of a scoring run.
struct PipelineCounters {
  std::uint64_t events = 0;          // events read, rejected ones included
  std::uint64_t tracks = 0;          // tracks of the scored events
  std::uint64_t kept_tracks = 0;     // tracks kept (when keep flags are on)
  std::uint64_t flagged_tracks = 0;  // tracks with a non-finite feature
  // Events rejected for a non-finite feature. score, calibrate and select stop
  // at the first one, so only a caller that carries on counts more than one.
  std::uint64_t rejected_events = 0;
};

// Median and 90th percentile of one stage's per-event time, in seconds.
struct StageStatistics {
  double median = 0.0;
  double p90 = 0.0;
};

// The value below which the fraction `quantile` of `values` lies, by the
// nearest-rank method (the ceil(quantile N)-th smallest value). 0 for no values.
// Reorders `values`.
double nearest_rank_percentile(std::vector<double>& values, double quantile);

// Accumulates counters and per-event stage times in event order, for the
// summaries of the commands.
class PipelineSummary {
 public:
  void add(const ScoredEvent& event);
  void add_rejected_event();

  const PipelineCounters& counters() const noexcept { return counters_; }
  StageStatistics features() const;
  StageStatistics scoring() const;
  StageStatistics flags() const;

  // One line: per-event median and 90th percentile of each stage in ms.
  std::string describe_timings() const;

 private:
  PipelineCounters counters_;
  std::vector<double> features_;
  std::vector<double> scoring_;
  std::vector<double> flags_;
};

struct ParallelConfig {
  // Threads that score events, the calling thread included; 0 uses every
  // hardware thread (oneTBB's default concurrency).
  std::size_t threads = 0;
  // Events per batch. At most two batches are in memory, one being scored
  // while the calling thread writes the one before and reads the one after.
  // 0 means four events per thread.
  std::size_t batch_events = 0;

  // Throws ConfigError when threads exceeds 4096.
  void validate() const;
  // The thread count and batch size with the defaults resolved.
  std::size_t resolved_threads() const;
  std::size_t resolved_batch_events() const;
};

// One event moving through the loop.
struct EventSlot {
  std::uint64_t index = 0;  // position in the file, from 0
  edm::Event event;
  std::optional<Result<ScoredEvent>> result;  // set by the work function
};

// Reads every event of `reader` (tables `tables`) in the calling thread, runs
// `work` on the events in parallel with oneTBB, and calls `consume` in the
// calling thread in event order. HDF5 is not thread-safe, so every file access
// belongs in the calling thread: `consume` writes, this function reads. An
// exception from `work` or `consume` stops the loop, waits for the running
// work and propagates.
void for_each_event(const io::EventReader& reader, const io::TableMask& tables,
                    const ParallelConfig& config, const std::function<void(EventSlot&)>& work,
                    const std::function<void(EventSlot&)>& consume);

// Throws FileError naming the file when it has no `tracks` table.
void require_tracks(const io::EventReader& reader);

// True when the file was written by `trackpurity select` without
// --all-tracks, so that it holds only the tracks a selection kept.
bool holds_selected_tracks_only(const io::EventReader& reader);

// Throws FileError when holds_selected_tracks_only(reader): rates, ROC and
// thresholds measured on the survivors of a selection mean nothing.
void require_all_tracks(const io::EventReader& reader);

// Throws ConfigError when `output_path` names the same file as `input_path`.
void require_distinct_output(const std::string& input_path, const std::string& output_path);

// Throws std::runtime_error for an event that scoring rejected, naming the
// file, the event index and number, and the extractor's message (track and feature).
[[noreturn]] void throw_rejected_event(const std::string& path, const EventSlot& slot);

// Returns `input_configuration` (the JSON of an event file's `configuration`
// attribute) with `settings` added under key `stage`, so an output file
// records how each stage made it. A configuration that is not a JSON object
// is kept under "input_configuration".
std::string add_stage_configuration(const std::string& input_configuration,
                                    const std::string& stage, const nlohmann::json& settings);

}  // namespace trackpurity::cli
