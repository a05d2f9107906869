#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline.hpp"
#include "track_samples.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/selection/selector.hpp"

// The pipeline functions called directly: engines, the per-event scorer, the
// summary and the ordered parallel event loop.

namespace trackpurity::cli {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(EngineKind, ParsesKnownNames) {
  EXPECT_EQ(parse_engine_kind("cpu"), EngineKind::kCpu);
  EXPECT_EQ(parse_engine_kind("reference"), EngineKind::kReference);
  EXPECT_EQ(parse_engine_kind("libtorch"), EngineKind::kLibtorch);
  for (const EngineKind kind : {EngineKind::kCpu, EngineKind::kReference, EngineKind::kLibtorch}) {
    EXPECT_EQ(parse_engine_kind(to_string(kind)), kind);
  }
}

TEST(EngineKind, UnknownNameRejected) {
  try {
    (void)parse_engine_kind("tensorrt");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_TRUE(contains(error.what(), "'tensorrt'")) << error.what();
  }
}

TEST(NonFinitePolicy, ParsesFlagAndReject) {
  EXPECT_EQ(parse_non_finite_policy("flag"), features::NonFinitePolicy::kFlagTrack);
  EXPECT_EQ(parse_non_finite_policy("reject"), features::NonFinitePolicy::kRejectEvent);
  EXPECT_THROW((void)parse_non_finite_policy("skip"), ConfigError);
}

TEST(Percentile, NearestRank) {
  std::vector<double> values = {5.0, 1.0, 4.0, 2.0, 3.0, 10.0, 9.0, 8.0, 7.0, 6.0};
  EXPECT_DOUBLE_EQ(nearest_rank_percentile(values, 0.5), 5.0);
  EXPECT_DOUBLE_EQ(nearest_rank_percentile(values, 0.9), 9.0);
  EXPECT_DOUBLE_EQ(nearest_rank_percentile(values, 1.0), 10.0);
  EXPECT_DOUBLE_EQ(nearest_rank_percentile(values, 0.0), 1.0);
  std::vector<double> single = {2.5};
  EXPECT_DOUBLE_EQ(nearest_rank_percentile(single, 0.9), 2.5);
  std::vector<double> empty;
  EXPECT_DOUBLE_EQ(nearest_rank_percentile(empty, 0.5), 0.0);
}

TEST(EventScorer, UnknownModelFeatureNamed) {
  nn::Model model = testing::small_model();
  model.feature_names[3] = "dz_error_squared";
  try {
    const EventScorer scorer(model, ScorerConfig{});
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_TRUE(contains(error.what(), "'dz_error_squared'")) << error.what();
  }
}

TEST(EventScorer, KeepFlagsNeedWorkingPoints) {
  ScorerConfig config;
  config.keep_flags = true;
  config.model_source = "plain.safetensors";
  try {
    const EventScorer scorer(testing::small_model(), config);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    EXPECT_TRUE(contains(error.what(), "plain.safetensors has no working points")) << error.what();
    EXPECT_TRUE(contains(error.what(), "trackpurity calibrate")) << error.what();
  }
}

TEST(EventScorer, MalformedWorkingPointsRejected) {
  nn::Model model = testing::small_model();
  model.working_points = {{"main_threshold", 0.5}};
  ScorerConfig config;
  config.keep_flags = true;
  EXPECT_THROW(const EventScorer scorer(model, config), FileError);
}

TEST(EventScorer, EventWithoutTracks) {
  const EventScorer scorer(testing::small_model(), ScorerConfig{});
  const Result<ScoredEvent> scored = scorer.score(testing::make_empty_event(4));
  ASSERT_TRUE(scored.ok());
  EXPECT_TRUE(scored.value().scores.empty());
  EXPECT_TRUE(scored.value().dxy_bs.empty());
  EXPECT_EQ(scored.value().tracks, 0U);
}

TEST(EventScorer, EnginesAgree) {
  const nn::Model model = testing::small_model();
  const edm::Event event = testing::make_track_event(0, 300, 9);
  ScorerConfig cpu_config;
  const EventScorer cpu(model, cpu_config);
  const std::vector<float> cpu_scores = cpu.score(event).value().scores;

  std::vector<EngineKind> peers = {EngineKind::kReference};
  if (libtorch_engine_available()) {
    peers.push_back(EngineKind::kLibtorch);
  }
  for (const EngineKind kind : peers) {
    ScorerConfig config;
    config.engine = kind;
    const EventScorer peer(model, config);
    EXPECT_EQ(peer.engine().name(), to_string(kind));
    const std::vector<float> scores = peer.score(event).value().scores;
    ASSERT_EQ(scores.size(), cpu_scores.size());
    for (std::size_t track = 0; track < scores.size(); ++track) {
      EXPECT_NEAR(scores[track], cpu_scores[track], 1e-5) << to_string(kind) << " track " << track;
    }
  }
}

TEST(EventScorer, KeepFlagsFollowWorkingPoints) {
  nn::Model model = testing::small_model();
  selection::WorkingPoints points;
  points.main_threshold = 0.6;
  points.displaced_threshold = 0.3;
  model.working_points = selection::to_json(points);
  ScorerConfig config;
  config.keep_flags = true;
  const EventScorer scorer(model, config);
  const edm::Event event = testing::make_track_event(0, 200, 4);
  const ScoredEvent scored = scorer.score(event).value();

  ASSERT_EQ(scored.keep.size(), event.tracks.size());
  std::uint64_t kept = 0;
  for (std::size_t track = 0; track < event.tracks.size(); ++track) {
    const auto dxy = static_cast<float>(event.tracks[track].dxy(event.beam_spot.position));
    EXPECT_EQ(scored.dxy_bs[track], dxy);
    const bool keep = selection::keep_track(points, scored.scores[track], dxy);
    EXPECT_EQ(scored.keep[track], keep ? 1 : 0) << "track " << track;
    kept += keep ? 1 : 0;
  }
  EXPECT_EQ(scored.kept_tracks, kept);

  PipelineSummary summary;
  summary.add(scored);
  summary.add_rejected_event();
  EXPECT_EQ(summary.counters().events, 2U);
  EXPECT_EQ(summary.counters().rejected_events, 1U);
  EXPECT_EQ(summary.counters().tracks, event.tracks.size());
  EXPECT_EQ(summary.counters().kept_tracks, kept);
  EXPECT_GE(summary.scoring().p90, summary.scoring().median);
  EXPECT_GT(summary.scoring().median, 0.0);
  EXPECT_TRUE(contains(summary.describe_timings(), "scoring")) << summary.describe_timings();
}

TEST(EventScorer, ModelWithoutDxyFeatureComputesDxy) {
  // A model that does not read dxy_bs still gets dxy_bs for the displaced category.
  std::vector<std::string> names = testing::hlt15_names();
  names.front() = "pt";
  nn::Model model = nn::make_random_model(testing::small_architecture(), names, 3);
  const EventScorer scorer(model, ScorerConfig{});
  const edm::Event event = testing::make_track_event(0, 20, 4);
  const ScoredEvent scored = scorer.score(event).value();
  ASSERT_EQ(scored.dxy_bs.size(), event.tracks.size());
  for (std::size_t track = 0; track < event.tracks.size(); ++track) {
    EXPECT_EQ(scored.dxy_bs[track],
              static_cast<float>(event.tracks[track].dxy(event.beam_spot.position)));
  }
}

TEST(EventScorer, FlagAndRejectPolicies) {
  edm::Event event = testing::make_track_event(12, 4, 4);
  event.tracks[2].chi2 = std::numeric_limits<double>::infinity();

  const EventScorer flagging(testing::small_model(), ScorerConfig{});
  const ScoredEvent scored = flagging.score(event).value();
  EXPECT_EQ(scored.scores[2], 0.0F);
  EXPECT_EQ(scored.flagged_tracks, 1U);
  EXPECT_EQ(flagging.non_finite_counts().flagged_tracks, 1U);

  ScorerConfig config;
  config.non_finite = features::NonFinitePolicy::kRejectEvent;
  const EventScorer rejecting(testing::small_model(), config);
  const Result<ScoredEvent> rejected = rejecting.score(event);
  ASSERT_FALSE(rejected.ok());
  EXPECT_TRUE(contains(rejected.error().message, "event 12: track 2")) << rejected.error().message;
  EXPECT_TRUE(contains(rejected.error().message, "normalized_chi2")) << rejected.error().message;
}

class EventLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (std::uint64_t i = 0; i < 11; ++i) {
      events_.push_back(testing::make_track_event(i, i % 3, 8));
    }
    testing::write_events(path_, events_);
  }

  testing::TemporaryFolder folder_{"event_loop"};
  std::string path_ = folder_.file("events.h5");
  std::vector<edm::Event> events_;
};

TEST_F(EventLoopTest, ConsumesInEventOrder) {
  const io::EventReader reader(path_);
  ParallelConfig config;
  config.threads = 2;
  config.batch_events = 3;
  std::vector<std::uint64_t> consumed;
  std::atomic<int> worked{0};
  const auto main_thread = std::this_thread::get_id();
  bool consumed_in_main_thread = true;
  for_each_event(
      reader, io::TableMask::all(), config,
      [&](EventSlot& slot) {
        // Later events finish first, to catch a loop that consumes in completion order.
        std::this_thread::sleep_for(std::chrono::milliseconds(3 * (3 - slot.index % 3)));
        ++worked;
      },
      [&](EventSlot& slot) {
        consumed_in_main_thread &= std::this_thread::get_id() == main_thread;
        EXPECT_EQ(slot.event, events_[slot.index]);
        consumed.push_back(slot.index);
      });
  EXPECT_EQ(worked.load(), 11);
  ASSERT_EQ(consumed.size(), 11U);
  for (std::uint64_t i = 0; i < consumed.size(); ++i) {
    EXPECT_EQ(consumed[i], i);
  }
  EXPECT_TRUE(consumed_in_main_thread);
}

TEST_F(EventLoopTest, ConsumeExceptionPropagates) {
  const io::EventReader reader(path_);
  ParallelConfig config;
  config.threads = 2;
  config.batch_events = 2;
  std::uint64_t consumed = 0;
  EXPECT_THROW(for_each_event(
                   reader, io::TableMask::all(), config, [](EventSlot&) {},
                   [&](EventSlot& slot) {
                     if (slot.index == 4) {
                       throw std::runtime_error("stop");
                     }
                     ++consumed;
                   }),
               std::runtime_error);
  EXPECT_EQ(consumed, 4U);
}

TEST_F(EventLoopTest, WorkExceptionPropagates) {
  const io::EventReader reader(path_);
  ParallelConfig config;
  config.threads = 2;
  config.batch_events = 2;
  EXPECT_THROW(for_each_event(
                   reader, io::TableMask::all(), config,
                   [](EventSlot& slot) {
                     if (slot.index == 5) {
                       throw std::invalid_argument("bad event");
                     }
                   },
                   [](EventSlot&) {}),
               std::invalid_argument);
}

TEST_F(EventLoopTest, TooManyThreadsRejected) {
  const io::EventReader reader(path_);
  ParallelConfig config;
  config.threads = 100000;
  EXPECT_THROW(for_each_event(
                   reader, io::TableMask::all(), config, [](EventSlot&) {}, [](EventSlot&) {}),
               ConfigError);
}

TEST(StageConfiguration, AddsStageToInputConfiguration) {
  const nlohmann::json document = nlohmann::json::parse(
      add_stage_configuration(R"({"pileup": 200})", "score", {{"engine", "cpu"}}));
  EXPECT_EQ(document.at("pileup"), 200);
  EXPECT_EQ(document.at("score").at("engine"), "cpu");

  const nlohmann::json wrapped =
      nlohmann::json::parse(add_stage_configuration("not json", "select", {{"x", 1}}));
  EXPECT_EQ(wrapped.at("input_configuration"), "not json");
  EXPECT_EQ(wrapped.at("select").at("x"), 1);
}

}  // namespace
}  // namespace trackpurity::cli
