#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include <gtest/gtest.h>

#include "pipeline.hpp"
#include "track_samples.hpp"
#include "trackpurity/features/extractor.hpp"
#include "trackpurity/features/feature_set.hpp"
#include "trackpurity/features/feature_table.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/nn/cpu_engine.hpp"
#include "trackpurity/nn/safetensors.hpp"
#include "trackpurity/selection/calibration.hpp"
#include "trackpurity/selection/selector.hpp"
#include "trackpurity/selection/working_points.hpp"
#include "trackpurity/truth/association.hpp"

// Runs the built `trackpurity score`, `calibrate` and `select` on event files
// written here, and checks their outputs against scores computed in the test
// with the features module and the cpu engine directly.

namespace trackpurity::cli {
namespace {

using testing::CommandResult;
using testing::run_program;

// Target recall of the test calibrations: 0.99 needs 1000 genuine tracks per
// category, which the sample below has (about 3000 genuine tracks, 1500 displaced, 1200
// of displaced origin).
constexpr double kTestTargetRecall = 0.99;
constexpr std::size_t kTracksPerEvent = 600;

// Scores of one event computed without the pipeline: extractor, cpu engine,
// score 0 for flagged tracks.
struct ExpectedScores {
  std::vector<float> scores;
  std::vector<float> dxy_bs;
  std::vector<std::uint8_t> flags;
};

ExpectedScores expected_scores(const nn::Model& model, const edm::Event& event) {
  const features::FeatureSet feature_set = features::FeatureSet::from_names(model.feature_names);
  features::FeatureExtractor extractor(feature_set);
  features::FeatureTable table(feature_set);
  const Status status = extractor.compute(event, table);
  EXPECT_TRUE(status.ok());

  ExpectedScores expected;
  const std::size_t rows = table.rows();
  expected.scores.resize(rows);
  if (rows > 0) {
    const nn::CpuEngine engine(model);
    std::vector<const float*> columns;
    for (std::size_t column = 0; column < table.columns(); ++column) {
      columns.push_back(table.column(column).data());
    }
    engine.score(columns, rows, expected.scores);
  }
  const std::span<const std::uint8_t> flags = table.non_finite_flags();
  expected.flags.assign(flags.begin(), flags.end());
  for (std::size_t row = 0; row < rows; ++row) {
    if (expected.flags[row] != 0) {
      expected.scores[row] = 0.0F;
    }
  }
  const std::span<const float> dxy = table.column("dxy_bs");
  expected.dxy_bs.assign(dxy.begin(), dxy.end());
  return expected;
}

std::vector<float> float_column(const io::EventReader& reader, std::uint64_t index,
                                const std::string& name) {
  return std::get<std::vector<float>>(reader.read_extra_column(index, name));
}

std::vector<std::uint8_t> flag_column(const io::EventReader& reader, std::uint64_t index,
                                      const std::string& name) {
  return std::get<std::vector<std::uint8_t>>(reader.read_extra_column(index, name));
}

class SelectCommandsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = std::make_unique<testing::TemporaryFolder>("select_commands");

    // Events 1 (no rows at all) and 3 (hits but no tracks) must pass through.
    events_ = {testing::make_track_event(0, kTracksPerEvent, 1),
               testing::make_empty_event(1),
               testing::make_track_event(2, kTracksPerEvent, 1),
               testing::make_track_event(3, 0, 1),
               testing::make_track_event(4, kTracksPerEvent, 1),
               testing::make_track_event(5, kTracksPerEvent, 1),
               testing::make_track_event(6, kTracksPerEvent, 1),
               testing::make_track_event(7, kTracksPerEvent, 1)};
    events_path_ = folder_->file("events.h5");
    testing::write_events(events_path_, events_);

    model_ = testing::small_model();
    model_path_ = folder_->file("model.safetensors");
    nn::save_model(model_, model_path_);

    // Calibrate with the selection module directly, on the test's own scores.
    const selection::CalibrationConfig config = test_calibration_config();
    for (const edm::Event& event : events_) {
      const ExpectedScores expected = expected_scores(model_, event);
      scores_.insert(scores_.end(), expected.scores.begin(), expected.scores.end());
      dxy_bs_.insert(dxy_bs_.end(), expected.dxy_bs.begin(), expected.dxy_bs.end());
      for (const edm::TrackTruth& truth : event.track_truth) {
        genuine_.push_back(truth.genuine ? 1 : 0);
      }
      const std::vector<std::uint8_t> origin = truth::displaced_origin_flags(
          event, config.displaced_origin_min_radius, config.displaced_origin_max_radius);
      displaced_origin_.insert(displaced_origin_.end(), origin.begin(), origin.end());
    }
    working_points_ =
        selection::calibrate(scores_, genuine_, dxy_bs_, config, displaced_origin_);
    calibrated_ = model_;
    calibrated_.working_points = selection::to_json(working_points_);
    calibrated_path_ = folder_->file("calibrated.safetensors");
    nn::save_model(calibrated_, calibrated_path_);
  }

  static void TearDownTestSuite() { folder_.reset(); }

  static std::string file(const std::string& name) { return folder_->file(name); }

  static selection::CalibrationConfig test_calibration_config() {
    selection::CalibrationConfig config;
    config.target_recall = kTestTargetRecall;
    return config;
  }

  static inline std::unique_ptr<testing::TemporaryFolder> folder_;
  static inline std::vector<edm::Event> events_;
  // Per-track calibration inputs of events_.
  static inline std::vector<float> scores_;
  static inline std::vector<std::uint8_t> genuine_;
  static inline std::vector<float> dxy_bs_;
  static inline std::vector<std::uint8_t> displaced_origin_;
  static inline std::string events_path_;
  static inline nn::Model model_;
  static inline std::string model_path_;
  static inline selection::WorkingPoints working_points_;
  static inline nn::Model calibrated_;
  static inline std::string calibrated_path_;
};

TEST_F(SelectCommandsTest, ScoreWritesCpuEngineScores) {
  const std::string output = file("scores.h5");
  const CommandResult result =
      run_program(fmt::format("score {} {} -o {} --threads 2", model_path_, events_path_, output));
  ASSERT_EQ(result.status, 0) << result.output;

  const io::EventReader reader(output);
  ASSERT_EQ(reader.event_count(), events_.size());
  EXPECT_TRUE(reader.available_tables().track_truth);
  EXPECT_TRUE(reader.available_tables().track_hit_pattern);
  EXPECT_TRUE(reader.available_tables().vertices);
  for (std::uint64_t i = 0; i < events_.size(); ++i) {
    const edm::Event event = reader.read(i);
    const std::vector<float> scores = float_column(reader, i, "score");
    const ExpectedScores expected = expected_scores(model_, events_[i]);
    ASSERT_EQ(event.tracks.size(), events_[i].tracks.size()) << "event " << i;
    ASSERT_EQ(scores.size(), events_[i].tracks.size()) << "event " << i;
    EXPECT_EQ(event.track_truth, events_[i].track_truth) << "event " << i;
    EXPECT_EQ(event.vertices, events_[i].vertices) << "event " << i;
    for (std::size_t track = 0; track < scores.size(); ++track) {
      ASSERT_TRUE(std::isfinite(scores[track])) << "event " << i << " track " << track;
      EXPECT_NEAR(scores[track], expected.scores[track], 1e-6)
          << "event " << i << " track " << track;
    }
  }
}

TEST_F(SelectCommandsTest, ScoresSpreadOverUnitInterval) {
  // Guards the other tests against a degenerate model that scores every track alike.
  const ExpectedScores expected = expected_scores(model_, events_[0]);
  const auto [low, high] = std::minmax_element(expected.scores.begin(), expected.scores.end());
  EXPECT_LT(*low, 0.3F);
  EXPECT_GT(*high, 0.7F);
}

TEST_F(SelectCommandsTest, ScoreOutputSameForOneAndTwoThreads) {
  const std::string one = file("scores_1.h5");
  const std::string two = file("scores_2.h5");
  ASSERT_EQ(
      run_program(fmt::format("score {} {} -o {} --threads 1", model_path_, events_path_, one))
          .status,
      0);
  ASSERT_EQ(
      run_program(fmt::format("score {} {} -o {} --threads 2", model_path_, events_path_, two))
          .status,
      0);
  const std::vector<char> one_bytes = testing::read_bytes(one);
  EXPECT_FALSE(one_bytes.empty());
  EXPECT_TRUE(one_bytes == testing::read_bytes(two));
}

TEST_F(SelectCommandsTest, ScoreWithPeerEnginesAgrees) {
  std::vector<std::string> engines = {"reference"};
  if (libtorch_engine_available()) {
    engines.emplace_back("libtorch");
  }
  for (const std::string& engine : engines) {
    const std::string output = file("scores_" + engine + ".h5");
    const CommandResult result = run_program(fmt::format(
        "score {} {} -o {} --engine {} --threads 2", model_path_, events_path_, output, engine));
    ASSERT_EQ(result.status, 0) << result.output;
    const io::EventReader reader(output);
    for (std::uint64_t i = 0; i < events_.size(); ++i) {
      const std::vector<float> scores = float_column(reader, i, "score");
      const ExpectedScores expected = expected_scores(model_, events_[i]);
      ASSERT_EQ(scores.size(), expected.scores.size());
      for (std::size_t track = 0; track < scores.size(); ++track) {
        EXPECT_NEAR(scores[track], expected.scores[track], 1e-5)
            << engine << " event " << i << " track " << track;
      }
    }
  }
}

TEST_F(SelectCommandsTest, ScoreRejectsUnknownEngine) {
  const CommandResult result = run_program(
      fmt::format("score {} {} -o {} --engine gpu", model_path_, events_path_, file("unused.h5")));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("unknown engine 'gpu'"), std::string::npos) << result.output;
}

TEST_F(SelectCommandsTest, ScoreRejectsModelFeatureDataLacks) {
  nn::Model model = model_;
  model.feature_names.back() = "valid_tib_hits";
  const std::string path = file("unknown_feature.safetensors");
  nn::save_model(model, path);
  const std::string output = file("unknown_feature.h5");
  const CommandResult result =
      run_program(fmt::format("score {} {} -o {}", path, events_path_, output));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("'valid_tib_hits'"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(output));
}

TEST_F(SelectCommandsTest, CalibratePoolsExtraSamples) {
  // The same file pooled twice doubles the genuine-track counts of both categories.
  const std::string output = file("calibrated_pooled.safetensors");
  const CommandResult result = run_program(
      fmt::format("calibrate {} {} --extra-sample {} -o {} --target-recall {} --threads 2",
                  model_path_, events_path_, events_path_, output, kTestTargetRecall));
  ASSERT_EQ(result.status, 0) << result.output;
  const nn::Model model = nn::load_model(output);
  const selection::WorkingPoints points =
      selection::working_points_from_json(model.working_points, output);
  EXPECT_EQ(points.all.genuine_tracks, 2 * working_points_.all.genuine_tracks);
  EXPECT_EQ(points.displaced.genuine_tracks, 2 * working_points_.displaced.genuine_tracks);
  EXPECT_EQ(points.displaced_origin.genuine_tracks,
            2 * working_points_.displaced_origin.genuine_tracks);
  EXPECT_EQ(model.provenance.at("calibration").at("samples").size(), 2U);
}

TEST_F(SelectCommandsTest, CalibrateKeepsTargetFraction) {
  const std::string output = file("calibrated_by_command.safetensors");
  const CommandResult result =
      run_program(fmt::format("calibrate {} {} -o {} --target-recall {} --threads 2", model_path_,
                              events_path_, output, kTestTargetRecall));
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("main threshold"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("displaced threshold"), std::string::npos) << result.output;

  const nn::Model model = nn::load_model(output);
  const selection::WorkingPoints points =
      selection::working_points_from_json(model.working_points, output);
  EXPECT_EQ(points, working_points_);
  EXPECT_DOUBLE_EQ(points.target_recall, kTestTargetRecall);
  EXPECT_TRUE(points.displaced_category);
  EXPECT_EQ(model.provenance.at("calibration").at("sample"), events_path_);

  // Count the genuine tracks the working points keep, in each category.
  std::uint64_t genuine = 0;
  std::uint64_t kept = 0;
  std::uint64_t displaced_genuine = 0;
  std::uint64_t displaced_kept = 0;
  std::uint64_t origin_genuine = 0;
  std::uint64_t origin_kept = 0;
  for (const edm::Event& event : events_) {
    const ExpectedScores expected = expected_scores(model_, event);
    const std::vector<std::uint8_t> origin =
        truth::displaced_origin_flags(event, 0.5 * units::cm, 10.0 * units::cm);
    for (std::size_t track = 0; track < event.tracks.size(); ++track) {
      if (!event.track_truth[track].genuine) {
        continue;
      }
      const bool keep =
          selection::keep_track(points, expected.scores[track], expected.dxy_bs[track]);
      const bool displaced = std::abs(expected.dxy_bs[track]) > points.displaced_dxy_cut;
      ++genuine;
      kept += keep ? 1 : 0;
      displaced_genuine += displaced ? 1 : 0;
      displaced_kept += displaced && keep ? 1 : 0;
      origin_genuine += origin[track];
      origin_kept += origin[track] != 0 && keep ? 1 : 0;
    }
  }
  ASSERT_GT(displaced_genuine, 1000U);
  ASSERT_GT(origin_genuine, 1000U);
  EXPECT_EQ(points.displaced_origin.genuine_tracks, origin_genuine);
  EXPECT_EQ(points.displaced_origin.kept_tracks, origin_kept);
  EXPECT_GE(static_cast<double>(origin_kept),
            kTestTargetRecall * static_cast<double>(origin_genuine));
  EXPECT_EQ(points.all.genuine_tracks, genuine);
  EXPECT_EQ(points.all.kept_tracks, kept);
  EXPECT_EQ(points.displaced.genuine_tracks, displaced_genuine);
  EXPECT_GE(static_cast<double>(kept), kTestTargetRecall * static_cast<double>(genuine));
  EXPECT_GE(static_cast<double>(displaced_kept),
            kTestTargetRecall * static_cast<double>(displaced_genuine));
  EXPECT_LE(points.all.recall_interval.low, points.all.recall);
  EXPECT_GE(points.all.recall_interval.high, points.all.recall);
}

TEST_F(SelectCommandsTest, CalibrateWithoutDisplacedCategory) {
  const std::string output = file("calibrated_main_only.safetensors");
  const CommandResult result =
      run_program(fmt::format("calibrate {} {} -o {} --target-recall {} --no-displaced-category",
                              model_path_, events_path_, output, kTestTargetRecall));
  ASSERT_EQ(result.status, 0) << result.output;
  const selection::WorkingPoints points =
      selection::working_points_from_json(nn::load_model(output).working_points, output);
  EXPECT_FALSE(points.displaced_category);
  selection::CalibrationConfig config = test_calibration_config();
  config.displaced_category = false;
  EXPECT_EQ(points, selection::calibrate(scores_, genuine_, dxy_bs_, config, displaced_origin_));
}

TEST_F(SelectCommandsTest, CalibrateWithoutDisplacedOrigin) {
  const std::string output = file("calibrated_without_origin.safetensors");
  const CommandResult result =
      run_program(fmt::format("calibrate {} {} -o {} --target-recall {} --no-displaced-origin",
                              model_path_, events_path_, output, kTestTargetRecall));
  ASSERT_EQ(result.status, 0) << result.output;
  const selection::WorkingPoints points =
      selection::working_points_from_json(nn::load_model(output).working_points, output);
  EXPECT_EQ(points.displaced_origin.genuine_tracks, 0U);
  EXPECT_EQ(points, selection::calibrate(scores_, genuine_, dxy_bs_, test_calibration_config()));
}

TEST_F(SelectCommandsTest, CalibrateDisplacedOriginNeedsParticles) {
  io::TableMask tables;
  tables.particles = false;
  const std::string path = file("no_particles.h5");
  testing::write_events(path, events_, tables);
  const std::string output = file("no_particles.safetensors");
  const CommandResult result = run_program(fmt::format(
      "calibrate {} {} -o {} --target-recall {}", model_path_, path, output, kTestTargetRecall));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find(path), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("particles"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("--no-displaced-origin"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(output));
}

TEST_F(SelectCommandsTest, CalibrateRejectsFileWithoutTruth) {
  io::TableMask tables;
  tables.track_truth = false;
  const std::string path = file("no_truth.h5");
  testing::write_events(path, events_, tables);
  const CommandResult result = run_program(
      fmt::format("calibrate {} {} -o {}", model_path_, path, file("unused.safetensors")));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("truth_genuine"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("missing truth columns"), std::string::npos) << result.output;
}

TEST_F(SelectCommandsTest, SelectedOnlyFileRejected) {
  // The output of `select` without --all-tracks holds only the kept tracks:
  // validate and calibrate reject it, and accept a --all-tracks output.
  const std::string kept_only = file("kept_only.h5");
  const std::string every_track = file("every_track.h5");
  ASSERT_EQ(run_program(fmt::format("select {} {} -o {}", calibrated_path_, events_path_, kept_only))
                .status,
            0);
  ASSERT_EQ(run_program(fmt::format("select {} {} -o {} --all-tracks", calibrated_path_,
                                    events_path_, every_track))
                .status,
            0);
  for (const std::string& arguments :
       {fmt::format("validate {} {} --report {}", calibrated_path_, kept_only, file("report_kept")),
        fmt::format("calibrate {} {} -o {} --target-recall {}", model_path_, kept_only,
                    file("unused_kept.safetensors"), kTestTargetRecall)}) {
    const CommandResult result = run_program(arguments);
    EXPECT_EQ(result.status, 3) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find("configuration.select.all_tracks"), std::string::npos)
        << result.output;
  }
  const CommandResult accepted = run_program(fmt::format(
      "calibrate {} {} -o {} --target-recall {}", model_path_, every_track,
      file("from_every_track.safetensors"), kTestTargetRecall));
  EXPECT_EQ(accepted.status, 0) << accepted.output;
}

TEST_F(SelectCommandsTest, CalibrateRejectsSmallSample) {
  const std::string path = file("small.h5");
  testing::write_events(path, {testing::make_track_event(0, 50, 2)});
  const std::string output = file("small.safetensors");
  const CommandResult result =
      run_program(fmt::format("calibrate {} {} -o {}", model_path_, path, output));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("needs at least 2000 genuine tracks"), std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(output));
}

TEST_F(SelectCommandsTest, SelectAllTracksFollowsKeepRule) {
  const std::string output = file("selected_all.h5");
  const CommandResult result = run_program(fmt::format(
      "select {} {} -o {} --all-tracks --threads 2", calibrated_path_, events_path_, output));
  ASSERT_EQ(result.status, 0) << result.output;

  const io::EventReader reader(output);
  ASSERT_EQ(reader.event_count(), events_.size());
  std::size_t kept_total = 0;
  std::size_t tracks_total = 0;
  for (std::uint64_t i = 0; i < events_.size(); ++i) {
    const edm::Event event = reader.read(i);
    EXPECT_EQ(event, events_[i]) << "event " << i;
    const std::vector<float> scores = float_column(reader, i, "score");
    const std::vector<std::uint8_t> keep = flag_column(reader, i, "keep");
    const ExpectedScores expected = expected_scores(model_, events_[i]);
    ASSERT_EQ(keep.size(), events_[i].tracks.size());
    for (std::size_t track = 0; track < keep.size(); ++track) {
      const bool expected_keep =
          selection::keep_track(working_points_, expected.scores[track], expected.dxy_bs[track]);
      EXPECT_EQ(keep[track], expected_keep ? 1 : 0) << "event " << i << " track " << track;
      EXPECT_NEAR(scores[track], expected.scores[track], 1e-6);
      kept_total += keep[track];
    }
    tracks_total += keep.size();
  }
  // The selection keeps most tracks but not all of them.
  EXPECT_GT(kept_total, tracks_total / 2);
  EXPECT_LT(kept_total, tracks_total);
}

TEST_F(SelectCommandsTest, SelectWritesOnlyKeptTracks) {
  const std::string output = file("selected.h5");
  const CommandResult result =
      run_program(fmt::format("select {} {} -o {}", calibrated_path_, events_path_, output));
  ASSERT_EQ(result.status, 0) << result.output;

  const io::EventReader reader(output);
  ASSERT_EQ(reader.event_count(), events_.size());
  EXPECT_EQ(reader.extra_track_columns().size(), 1U);
  for (std::uint64_t i = 0; i < events_.size(); ++i) {
    const edm::Event event = reader.read(i);
    const std::vector<float> scores = float_column(reader, i, "score");
    const ExpectedScores expected = expected_scores(model_, events_[i]);

    edm::Event kept = events_[i];
    kept.tracks.clear();
    kept.track_truth.clear();
    std::vector<float> kept_scores;
    for (std::size_t track = 0; track < events_[i].tracks.size(); ++track) {
      if (selection::keep_track(working_points_, expected.scores[track], expected.dxy_bs[track])) {
        kept.tracks.push_back(events_[i].tracks[track]);
        kept.track_truth.push_back(events_[i].track_truth[track]);
        kept_scores.push_back(expected.scores[track]);
      }
    }
    // Hits, particles, vertices and the kept tracks with hit lists, patterns and truth.
    EXPECT_EQ(event, kept) << "event " << i;
    ASSERT_EQ(scores.size(), kept_scores.size()) << "event " << i;
    for (std::size_t track = 0; track < scores.size(); ++track) {
      EXPECT_NEAR(scores[track], kept_scores[track], 1e-6);
    }
  }
}

TEST_F(SelectCommandsTest, SelectKeepsScoreExactlyAtThreshold) {
  // Thresholds equal to the score of one prompt and one displaced track.
  const edm::Event& event = events_[0];
  const ExpectedScores expected = expected_scores(model_, event);
  std::size_t prompt = event.tracks.size();
  std::size_t displaced = event.tracks.size();
  for (std::size_t track = 0; track < event.tracks.size(); ++track) {
    const bool is_displaced = std::abs(expected.dxy_bs[track]) > 0.5F;
    const float score = expected.scores[track];
    if (!is_displaced && score > 0.6F && score < 0.9F) {
      prompt = track;
    }
    if (is_displaced && score > 0.2F && score < 0.5F) {
      displaced = track;
    }
  }
  ASSERT_LT(prompt, event.tracks.size());
  ASSERT_LT(displaced, event.tracks.size());

  selection::WorkingPoints points = working_points_;
  points.main_threshold = static_cast<double>(expected.scores[prompt]);
  points.displaced_threshold = static_cast<double>(expected.scores[displaced]);
  nn::Model model = model_;
  model.working_points = selection::to_json(points);
  const std::string model_path = file("at_threshold.safetensors");
  nn::save_model(model, model_path);

  const std::string output = file("at_threshold.h5");
  const CommandResult result =
      run_program(fmt::format("select {} {} -o {} --all-tracks", model_path, events_path_, output));
  ASSERT_EQ(result.status, 0) << result.output;
  const io::EventReader reader(output);
  const std::vector<float> scores = float_column(reader, 0, "score");
  const std::vector<std::uint8_t> keep = flag_column(reader, 0, "keep");
  ASSERT_EQ(scores[prompt], expected.scores[prompt]);
  ASSERT_EQ(scores[displaced], expected.scores[displaced]);
  EXPECT_EQ(keep[prompt], 1);
  EXPECT_EQ(keep[displaced], 1);
  for (std::size_t track = 0; track < keep.size(); ++track) {
    EXPECT_EQ(keep[track],
              selection::keep_track(points, expected.scores[track], expected.dxy_bs[track]) ? 1 : 0)
        << "track " << track;
  }
}

TEST_F(SelectCommandsTest, SelectOutputSameForOneAndTwoThreads) {
  for (const std::string mode : {"", "--all-tracks"}) {
    const std::string one = file("select_1.h5");
    const std::string two = file("select_2.h5");
    ASSERT_EQ(run_program(fmt::format("select {} {} -o {} --threads 1 {}", calibrated_path_,
                                      events_path_, one, mode))
                  .status,
              0);
    ASSERT_EQ(run_program(fmt::format("select {} {} -o {} --threads 2 {}", calibrated_path_,
                                      events_path_, two, mode))
                  .status,
              0);
    EXPECT_TRUE(testing::read_bytes(one) == testing::read_bytes(two)) << "mode '" << mode << "'";
  }
}

TEST_F(SelectCommandsTest, SelectWithoutWorkingPointsSuggestsCalibrate) {
  const std::string output = file("no_working_points.h5");
  const CommandResult result =
      run_program(fmt::format("select {} {} -o {}", model_path_, events_path_, output));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("no working points"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("trackpurity calibrate"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(output));
}

TEST_F(SelectCommandsTest, SelectRejectsOutputOverInput) {
  const CommandResult result =
      run_program(fmt::format("select {} {} -o {}", calibrated_path_, events_path_, events_path_));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("is the input file"), std::string::npos) << result.output;
  EXPECT_TRUE(io::EventReader(events_path_).event_count() == events_.size());
}

TEST_F(SelectCommandsTest, FileWithoutTracksRejected) {
  const std::string path = file("simulated.h5");
  testing::write_events(path, {events_[0]}, io::TableMask::simulation());
  const CommandResult result =
      run_program(fmt::format("score {} {} -o {}", model_path_, path, file("unused.h5")));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("tracks: missing table"), std::string::npos) << result.output;
}

class NonFiniteTrackTest : public SelectCommandsTest {
 protected:
  void SetUp() override {
    events_with_nan_ = {testing::make_track_event(0, 5, 3), testing::make_track_event(1, 5, 3)};
    events_with_nan_[1].tracks[1].parameters[edm::eQOverP] =
        std::numeric_limits<double>::quiet_NaN();
    path_ = file("nan.h5");
    testing::write_events(path_, events_with_nan_);
  }

  std::vector<edm::Event> events_with_nan_;
  std::string path_;
};

TEST_F(NonFiniteTrackTest, FlaggedTrackScoresZeroAndIsDropped) {
  const std::string output = file("nan_selected.h5");
  const CommandResult result = run_program(fmt::format(
      "select {} {} -o {} --all-tracks --non-finite flag", calibrated_path_, path_, output));
  ASSERT_EQ(result.status, 0) << result.output;
  const io::EventReader reader(output);
  const std::vector<float> scores = float_column(reader, 1, "score");
  const std::vector<std::uint8_t> keep = flag_column(reader, 1, "keep");
  ASSERT_EQ(scores.size(), 5U);
  EXPECT_EQ(scores[1], 0.0F);
  EXPECT_EQ(keep[1], 0);
  for (std::size_t track = 0; track < scores.size(); ++track) {
    EXPECT_TRUE(std::isfinite(scores[track])) << "track " << track;
  }
  EXPECT_GT(scores[0], 0.0F);
}

TEST_F(NonFiniteTrackTest, RejectPolicyFailsNamingEventAndTrack) {
  const std::string output = file("nan_rejected.h5");
  const CommandResult result =
      run_program(fmt::format("score {} {} -o {} --non-finite reject", model_path_, path_, output));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("event index 1 (number 1)"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("track 1 has a non-finite"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(output));
  EXPECT_FALSE(std::filesystem::exists(output + ".partial"));
}

TEST_F(NonFiniteTrackTest, RejectPolicyAcceptsFiniteEvents) {
  const std::string path = file("finite.h5");
  testing::write_events(path, {events_with_nan_[0]});
  const std::string output = file("finite_scores.h5");
  const CommandResult result =
      run_program(fmt::format("score {} {} -o {} --non-finite reject", model_path_, path, output));
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(io::EventReader(output).event_count(), 1U);
}

}  // namespace
}  // namespace trackpurity::cli
