#include "pipeline.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include "trackpurity/features/feature.hpp"
#include "trackpurity/features/feature_table.hpp"
#include "trackpurity/nn/cpu_engine.hpp"
#include "trackpurity/nn/reference_engine.hpp"
#include "trackpurity/selection/selector.hpp"

#ifdef TRACKPURITY_HAVE_LIBTORCH_ENGINE
#include "trackpurity/nn/torch/torch_engine.hpp"
#endif

namespace trackpurity::cli {

namespace {

// Maximum of --threads, to catch typos such as an extra digit.
constexpr std::size_t kMaxThreads = 4096;
// Events per batch and thread when ParallelConfig::batch_events is 0.
constexpr std::size_t kEventsPerThreadInBatch = 4;

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point start, Clock::time_point end) {
  return std::chrono::duration<double>(end - start).count();
}

std::string known_feature_names() {
  std::string names;
  for (const features::FeatureInfo& feature : features::feature_catalog()) {
    if (!names.empty()) {
      names += ", ";
    }
    names += feature.name;
  }
  return names;
}

StageStatistics statistics_of(std::vector<double> values) {
  StageStatistics statistics;
  statistics.median = nearest_rank_percentile(values, 0.5);
  statistics.p90 = nearest_rank_percentile(values, 0.9);
  return statistics;
}

}  // namespace

std::string_view to_string(EngineKind kind) noexcept {
  switch (kind) {
    case EngineKind::kCpu:
      return "cpu";
    case EngineKind::kReference:
      return "reference";
    case EngineKind::kLibtorch:
      return "libtorch";
  }
  return "unknown";
}

EngineKind parse_engine_kind(std::string_view name) {
  for (const EngineKind kind : {EngineKind::kCpu, EngineKind::kReference, EngineKind::kLibtorch}) {
    if (name == to_string(kind)) {
      return kind;
    }
  }
  throw ConfigError(fmt::format("unknown engine '{}': expected cpu, reference or libtorch", name));
}

bool libtorch_engine_available() noexcept {
#ifdef TRACKPURITY_HAVE_LIBTORCH_ENGINE
  return true;
#else
  return false;
#endif
}

std::unique_ptr<nn::Engine> make_engine(EngineKind kind, const nn::Model& model) {
  switch (kind) {
    case EngineKind::kCpu:
      return std::make_unique<nn::CpuEngine>(model);
    case EngineKind::kReference:
      return std::make_unique<nn::ReferenceEngine>(model);
    case EngineKind::kLibtorch:
#ifdef TRACKPURITY_HAVE_LIBTORCH_ENGINE
      return std::make_unique<nn::TorchEngine>(model);
#else
      throw ConfigError(
          "the libtorch engine is not part of this build (configured with "
          "TRACKPURITY_WITH_TORCH=OFF): use --engine cpu or reference");
#endif
  }
  throw ConfigError(fmt::format("unknown engine kind {}", static_cast<int>(kind)));
}

features::NonFinitePolicy parse_non_finite_policy(std::string_view name) {
  if (name == "flag") {
    return features::NonFinitePolicy::kFlagTrack;
  }
  if (name == "reject") {
    return features::NonFinitePolicy::kRejectEvent;
  }
  throw ConfigError(fmt::format("unknown non-finite policy '{}': expected flag or reject", name));
}

std::string_view to_string(features::NonFinitePolicy policy) noexcept {
  return policy == features::NonFinitePolicy::kFlagTrack ? "flag" : "reject";
}

features::FeatureSet model_feature_set(const nn::Model& model, const std::string& source) {
  for (const std::string& name : model.feature_names) {
    if (!features::find_feature(name)) {
      throw ConfigError(fmt::format(
          "model {} reads feature '{}', which the features module cannot compute from tracks "
          "(known features: {})",
          source, name, known_feature_names()));
    }
  }
  const std::string set_name = model.feature_set.empty() ? "custom" : model.feature_set;
  return features::FeatureSet::from_names(model.feature_names, set_name);
}

selection::WorkingPoints model_working_points(const nn::Model& model, const std::string& source) {
  if (model.working_points.is_null() ||
      (model.working_points.is_object() && model.working_points.empty())) {
    throw ConfigError(
        fmt::format("model {} has no working points: run `trackpurity calibrate {} TRACKS.h5 -o "
                    "CALIBRATED_MODEL` on truth-labelled tracks first",
                    source, source));
  }
  return selection::working_points_from_json(model.working_points, source);
}

namespace {

// Per-thread scratch: the extractor counts non-finite values, so each thread has its own.
struct ThreadState {
  ThreadState(const features::FeatureSet& feature_set, features::ExtractorConfig config)
      : extractor(feature_set, config), table(feature_set), columns(feature_set.size()) {}

  features::FeatureExtractor extractor;
  features::FeatureTable table;
  std::vector<const float*> columns;
};

}  // namespace

struct EventScorer::Impl {
  Impl(const nn::Model& model, ScorerConfig scorer_config)
      : config(std::move(scorer_config)),
        feature_set(model_feature_set(model, config.model_source)),
        dxy_column(feature_set.index_of(features::FeatureId::kDxyBs)),
        states(feature_set, features::ExtractorConfig{config.non_finite}) {
    if (config.keep_flags) {
      working_points = model_working_points(model, config.model_source);
    }
    engine = make_engine(config.engine, model);
    if (engine->input_width() != feature_set.size()) {
      throw ConfigError(fmt::format("model {} has {} feature names but {} network inputs",
                                    config.model_source, feature_set.size(),
                                    engine->input_width()));
    }
  }

  ScorerConfig config;
  features::FeatureSet feature_set;
  std::optional<std::size_t> dxy_column;
  std::optional<selection::WorkingPoints> working_points;
  std::unique_ptr<nn::Engine> engine;
  mutable tbb::enumerable_thread_specific<ThreadState> states;
};

EventScorer::EventScorer(const nn::Model& model, ScorerConfig config)
    : impl_(std::make_unique<Impl>(model, std::move(config))) {}

EventScorer::~EventScorer() = default;

const ScorerConfig& EventScorer::config() const noexcept { return impl_->config; }

const features::FeatureSet& EventScorer::feature_set() const noexcept { return impl_->feature_set; }

const nn::Engine& EventScorer::engine() const noexcept { return *impl_->engine; }

const std::optional<selection::WorkingPoints>& EventScorer::working_points() const noexcept {
  return impl_->working_points;
}

Result<ScoredEvent> EventScorer::score(const edm::Event& event) const {
  ThreadState& state = impl_->states.local();
  ScoredEvent scored;

  // 1. Features of every track, read in place from event.tracks.
  const Clock::time_point start = Clock::now();
  Status status = state.extractor.compute(event, state.table);
  const Clock::time_point features_done = Clock::now();
  scored.times.features = seconds_between(start, features_done);
  if (!status.ok()) {
    return status.error();
  }

  // 2. Network scores. The table's columns are in the model's input order.
  const std::size_t rows = state.table.rows();
  scored.tracks = rows;
  scored.scores.resize(rows);
  if (rows > 0) {
    for (std::size_t column = 0; column < state.columns.size(); ++column) {
      state.columns[column] = state.table.column(column).data();
    }
    impl_->engine->score(state.columns, rows, scored.scores);
  }
  const Clock::time_point scoring_done = Clock::now();
  scored.times.scoring = seconds_between(features_done, scoring_done);

  // 3. Score 0 for flagged tracks, dxy_bs, keep flags.
  const std::span<const std::uint8_t> flags = state.table.non_finite_flags();
  selection::zero_flagged_scores(scored.scores, flags);
  scored.flagged_tracks = static_cast<std::uint64_t>(std::count(flags.begin(), flags.end(), 1));

  if (impl_->dxy_column) {
    const std::span<const float> dxy = state.table.column(*impl_->dxy_column);
    scored.dxy_bs.assign(dxy.begin(), dxy.end());
  } else {
    // The model does not read dxy_bs: compute it as the feature does.
    scored.dxy_bs.resize(rows);
    for (std::size_t row = 0; row < rows; ++row) {
      scored.dxy_bs[row] = static_cast<float>(event.tracks[row].dxy(event.beam_spot.position));
    }
  }

  if (impl_->working_points) {
    scored.keep.resize(rows);
    selection::select(*impl_->working_points, scored.scores, scored.dxy_bs, flags, scored.keep);
    scored.kept_tracks =
        static_cast<std::uint64_t>(std::count(scored.keep.begin(), scored.keep.end(), 1));
  }
  scored.times.flags = seconds_between(scoring_done, Clock::now());
  return scored;
}

features::NonFiniteCounts EventScorer::non_finite_counts() const {
  features::NonFiniteCounts total;
  total.per_feature.assign(impl_->feature_set.size(), 0);
  for (const ThreadState& state : impl_->states) {
    const features::NonFiniteCounts& counts = state.extractor.counts();
    for (std::size_t i = 0; i < total.per_feature.size(); ++i) {
      total.per_feature[i] += counts.per_feature[i];
    }
    total.flagged_tracks += counts.flagged_tracks;
    total.rejected_events += counts.rejected_events;
    total.events += counts.events;
    total.tracks += counts.tracks;
  }
  return total;
}

double nearest_rank_percentile(std::vector<double>& values, double quantile) {
  if (values.empty()) {
    return 0.0;
  }
  const auto count = static_cast<double>(values.size());
  const auto rank = static_cast<std::size_t>(std::max(1.0, std::ceil(quantile * count)));
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(std::min(rank, values.size()) - 1);
  std::nth_element(values.begin(), nth, values.end());
  return *nth;
}

void PipelineSummary::add(const ScoredEvent& event) {
  ++counters_.events;
  counters_.tracks += event.tracks;
  counters_.kept_tracks += event.kept_tracks;
  counters_.flagged_tracks += event.flagged_tracks;
  features_.push_back(event.times.features);
  scoring_.push_back(event.times.scoring);
  flags_.push_back(event.times.flags);
}

void PipelineSummary::add_rejected_event() {
  ++counters_.events;
  ++counters_.rejected_events;
}

StageStatistics PipelineSummary::features() const { return statistics_of(features_); }
StageStatistics PipelineSummary::scoring() const { return statistics_of(scoring_); }
StageStatistics PipelineSummary::flags() const { return statistics_of(flags_); }

std::string PipelineSummary::describe_timings() const {
  constexpr double kMillisecondsPerSecond = 1e3;
  const StageStatistics feature_times = features();
  const StageStatistics scoring_times = scoring();
  const StageStatistics flag_times = flags();
  return fmt::format(
      "per event (median / 90th percentile): features {:.3f} / {:.3f} ms, scoring {:.3f} / "
      "{:.3f} ms, flags {:.3f} / {:.3f} ms",
      feature_times.median * kMillisecondsPerSecond, feature_times.p90 * kMillisecondsPerSecond,
      scoring_times.median * kMillisecondsPerSecond, scoring_times.p90 * kMillisecondsPerSecond,
      flag_times.median * kMillisecondsPerSecond, flag_times.p90 * kMillisecondsPerSecond);
}

void ParallelConfig::validate() const {
  if (threads > kMaxThreads) {
    throw ConfigError(
        fmt::format("--threads {} is too many: use at most {}, or 0 for every "
                    "hardware thread",
                    threads, kMaxThreads));
  }
}

std::size_t ParallelConfig::resolved_threads() const {
  if (threads > 0) {
    return threads;
  }
  return static_cast<std::size_t>(std::max(1, tbb::info::default_concurrency()));
}

std::size_t ParallelConfig::resolved_batch_events() const {
  if (batch_events > 0) {
    return batch_events;
  }
  return kEventsPerThreadInBatch * resolved_threads();
}

void for_each_event(const io::EventReader& reader, const io::TableMask& tables,
                    const ParallelConfig& config, const std::function<void(EventSlot&)>& work,
                    const std::function<void(EventSlot&)>& consume) {
  config.validate();
  const std::uint64_t event_count = reader.event_count();
  const std::size_t batch_size = config.resolved_batch_events();
  const std::size_t threads = config.resolved_threads();
  // oneTBB caps its workers at the hardware threads unless the limit is
  // raised, so --threads above that count would be ignored with a warning.
  const tbb::global_control parallelism(tbb::global_control::max_allowed_parallelism, threads);
  tbb::task_arena arena(static_cast<int>(threads));
  tbb::task_group group;

  // Two batches: workers score one while this thread writes the previous
  // batch and reads the next one into the other.
  std::array<std::vector<EventSlot>, 2> batches;
  std::uint64_t next_index = 0;
  const auto read_batch = [&](std::vector<EventSlot>& batch) {
    batch.clear();
    while (batch.size() < batch_size && next_index < event_count) {
      EventSlot& slot = batch.emplace_back();
      slot.index = next_index;
      slot.event = reader.read(next_index, tables);
      ++next_index;
    }
  };
  const auto submit = [&](std::vector<EventSlot>& batch) {
    const std::span<EventSlot> slots(batch);
    arena.execute([&group, &work, slots]() {
      group.run([&work, slots]() {
        tbb::parallel_for(std::size_t{0}, slots.size(),
                          [&work, slots](std::size_t i) { work(slots[i]); });
      });
    });
  };
  const auto wait = [&]() { arena.execute([&group]() { group.wait(); }); };

  // The work holds references into the batches: wait for it before they go,
  // also when an exception leaves this function.
  struct WaitOnExit {
    const std::function<void()> wait;
    bool waiting = false;
    ~WaitOnExit() {
      if (!waiting) {
        return;
      }
      try {
        wait();
      } catch (...) {  // NOLINT(bugprone-empty-catch): the first exception is already propagating
      }
    }
  } guard{wait};

  std::size_t current = 0;
  read_batch(batches[current]);
  if (batches[current].empty()) {
    return;
  }
  guard.waiting = true;
  submit(batches[current]);
  read_batch(batches[1 - current]);
  while (true) {
    guard.waiting = false;
    wait();
    const std::size_t next = 1 - current;
    if (!batches[next].empty()) {
      guard.waiting = true;
      submit(batches[next]);
    }
    for (EventSlot& slot : batches[current]) {
      consume(slot);
    }
    if (batches[next].empty()) {
      break;
    }
    read_batch(batches[current]);
    current = next;
  }
}

void require_tracks(const io::EventReader& reader) {
  if (!reader.available_tables().tracks) {
    throw FileError(reader.path(), std::string(io::kTracksGroup),
                    "missing table: the file has no reconstructed tracks (run `trackpurity "
                    "reconstruct` on simulated events first)");
  }
}

bool holds_selected_tracks_only(const io::EventReader& reader) {
  const std::string& configuration = reader.attributes().configuration;
  if (!nlohmann::json::accept(configuration)) {
    return false;
  }
  const nlohmann::json document = nlohmann::json::parse(configuration);
  if (!document.is_object() || !document.contains("select") || !document["select"].is_object()) {
    return false;
  }
  const nlohmann::json& select = document["select"];
  return select.contains("all_tracks") && select["all_tracks"].is_boolean() &&
         !select["all_tracks"].get<bool>();
}

void require_all_tracks(const io::EventReader& reader) {
  if (holds_selected_tracks_only(reader)) {
    throw FileError(reader.path(), "configuration.select.all_tracks",
                    "the file holds only the tracks a selection kept (written by `trackpurity "
                    "select` without --all-tracks): give the reconstructed file, or a `select "
                    "--all-tracks` output");
  }
}

void require_distinct_output(const std::string& input_path, const std::string& output_path) {
  std::error_code error;
  if (std::filesystem::equivalent(input_path, output_path, error)) {
    throw ConfigError(fmt::format(
        "output file {} is the input file: write the output to another path", output_path));
  }
}

void throw_rejected_event(const std::string& path, const EventSlot& slot) {
  const std::string problem =
      slot.result && !slot.result->ok() ? slot.result->error().message : std::string("no result");
  throw std::runtime_error(fmt::format(
      "{}: event index {} (number {}) rejected: {}. Use --non-finite flag to give such tracks "
      "score 0 instead",
      path, slot.index, slot.event.number, problem));
}

std::string add_stage_configuration(const std::string& input_configuration,
                                    const std::string& stage, const nlohmann::json& settings) {
  nlohmann::json document = nlohmann::json::object();
  if (nlohmann::json::accept(input_configuration)) {
    nlohmann::json parsed = nlohmann::json::parse(input_configuration);
    if (parsed.is_object()) {
      document = std::move(parsed);
    } else {
      document["input_configuration"] = std::move(parsed);
    }
  } else {
    document["input_configuration"] = input_configuration;
  }
  document[stage] = settings;
  return document.dump();
}

}  // namespace trackpurity::cli
