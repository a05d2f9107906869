#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "track_samples.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/nn/safetensors.hpp"
#include "trackpurity/selection/working_points.hpp"
#include "trackpurity/validation/plot.hpp"

// Runs the built `trackpurity validate` and `trackpurity run` on event files
// written by the test and on a few freshly simulated events.

namespace trackpurity::cli {
namespace {

using testing::TemporaryFolder;

nlohmann::json read_json(const std::string& path) {
  std::ifstream stream(path);
  return nlohmann::json::parse(stream);
}

class RunValidateCommands : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = std::make_unique<TemporaryFolder>("run_validate");
    nn::Model model = testing::small_model();
    selection::WorkingPoints working_points;
    working_points.main_threshold = 0.5;
    working_points.displaced_threshold = 0.3;
    model.working_points = selection::to_json(working_points);
    model_path_ = folder_->file("model.safetensors");
    nn::save_model(model, model_path_);

    model.working_points = nlohmann::json::object();
    uncalibrated_path_ = folder_->file("uncalibrated.safetensors");
    nn::save_model(model, uncalibrated_path_);

    std::vector<edm::Event> events;
    for (std::uint64_t number = 0; number < 6; ++number) {
      events.push_back(testing::make_track_event(number, 300, 3));
    }
    events_path_ = folder_->file("events.h5");
    testing::write_events(events_path_, events);
  }
  static void TearDownTestSuite() { folder_.reset(); }

  static inline std::unique_ptr<TemporaryFolder> folder_;
  static inline std::string model_path_;
  static inline std::string uncalibrated_path_;
  static inline std::string events_path_;
};

TEST_F(RunValidateCommands, ValidateWritesReportAndMetrics) {
  const std::string report = folder_->file("report");
  const auto result = testing::run_program(
      fmt::format("validate {} {} --report {} --threads 2", model_path_, events_path_, report));
  ASSERT_EQ(result.status, 0) << result.output;
  const nlohmann::json metrics = read_json(report + "/metrics.json");
  for (const char* key : {"auc", "dnn_fake_rate_at_cut_recall", "efficiency_loss_prompt",
                          "efficiency_loss_displaced"}) {
    EXPECT_TRUE(metrics.contains(key)) << key;
  }
  EXPECT_TRUE(metrics["dnn"].contains("recall"));
  EXPECT_TRUE(metrics["dnn"].contains("fake_rate"));
  EXPECT_TRUE(metrics["cut"].contains("recall"));
  EXPECT_TRUE(metrics["cut"].contains("fake_rate"));
  EXPECT_EQ(metrics["events"].get<int>(), 6);
  EXPECT_EQ(metrics["tracks"].get<int>(), 1800);
  EXPECT_EQ(metrics["selection"].get<std::string>(),
            fmt::format("model {}, keeping score >= 0.5, or |dxy_bs| > 0.5 cm and score >= 0.3",
                        model_path_));
  EXPECT_TRUE(validation::is_png_file(report + "/roc.png"));
  EXPECT_TRUE(std::filesystem::exists(report + "/report.md"));
}

TEST_F(RunValidateCommands, ValidateWithoutTruthIsRejected) {
  const std::string path = folder_->file("no_truth.h5");
  io::TableMask tables = io::TableMask::all();
  tables.track_truth = false;
  std::vector<edm::Event> events = {testing::make_track_event(0, 20, 3)};
  events[0].track_truth.clear();
  testing::write_events(path, events, tables);
  const auto result = testing::run_program(
      fmt::format("validate {} {} --report {}", model_path_, path, folder_->file("unused")));
  EXPECT_EQ(result.status, 3) << result.output;
  EXPECT_NE(result.output.find("truth_genuine"), std::string::npos) << result.output;
}

TEST_F(RunValidateCommands, RunOnInputMatchesKeepRule) {
  const std::string metrics_path = folder_->file("run_metrics.json");
  const std::string output = folder_->file("run_out.h5");
  const auto result = testing::run_program(
      fmt::format("run --input {} --model {} --metrics-json {} -o {} --threads 2", events_path_,
                  model_path_, metrics_path, output));
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("tracks in"), std::string::npos) << result.output;
  const nlohmann::json metrics = read_json(metrics_path);
  for (const char* key : {"events", "recall", "recall_displaced", "fake_rate_before",
                          "fake_rate_after", "duplicate_rate_before", "duplicate_rate_after",
                          "displaced_efficiency_before", "displaced_efficiency_after",
                          "selection_ms_per_event", "selection_speedup_vs_libtorch", "peak_rss_mb"}) {
    EXPECT_TRUE(metrics.contains(key)) << key;
  }
  EXPECT_NE(result.output.find("displaced efficiency before -> after"), std::string::npos)
      << result.output;
  EXPECT_EQ(metrics["displaced_efficiency_after"], metrics["validation"]["dnn"]["efficiency_displaced"]);
  EXPECT_EQ(metrics["events"].get<int>(), 6);
  EXPECT_EQ(metrics["tracks_in"].get<int>(), 1800);

  // The output contains every track with its score and keep flag; kept tracks
  // follow the keep rule with thresholds 0.5 (all) and 0.3 (displaced).
  const io::EventReader reader(output);
  std::uint64_t kept = 0;
  for (std::uint64_t index = 0; index < reader.event_count(); ++index) {
    const auto scores = std::get<std::vector<float>>(reader.read_extra_column(index, "score"));
    const auto keep = std::get<std::vector<std::uint8_t>>(reader.read_extra_column(index, "keep"));
    const edm::Event event = reader.read(index);
    for (std::size_t t = 0; t < scores.size(); ++t) {
      const bool displaced = std::abs(event.tracks[t].dxy(event.beam_spot.position)) > 0.5;
      const bool expected = scores[t] >= 0.5F || (displaced && scores[t] >= 0.3F);
      EXPECT_EQ(keep[t] != 0, expected) << "event " << index << " track " << t;
      kept += keep[t];
    }
  }
  EXPECT_EQ(metrics["tracks_out"].get<std::uint64_t>(), kept);
  EXPECT_GT(kept, 0U);
}

TEST_F(RunValidateCommands, MissingInputIsFileError) {
  // A missing input file exits with status 3, as every other file error does.
  const std::string missing = folder_->file("missing.h5");
  for (const std::string& arguments :
       {fmt::format("run --input {} --model {}", missing, model_path_),
        fmt::format("validate {} {} --report {}", model_path_, missing, folder_->file("unused")),
        fmt::format("reconstruct {} -o {}", missing, folder_->file("unused.h5"))}) {
    const auto result = testing::run_program(arguments);
    EXPECT_EQ(result.status, 3) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(missing + ": file not found"), std::string::npos) << result.output;
  }
}

TEST_F(RunValidateCommands, RunWithoutLibtorchLeavesSpeedupEmpty) {
  const std::string metrics_path = folder_->file("run_no_torch.json");
  const auto result = testing::run_program(
      fmt::format("run --input {} --model {} --metrics-json {} --no-libtorch", events_path_,
                  model_path_, metrics_path));
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_TRUE(read_json(metrics_path)["selection_speedup_vs_libtorch"].is_null());
}

TEST_F(RunValidateCommands, RunSimulatesWhenNoInputIsGiven) {
  const std::string metrics_path = folder_->file("run_sim.json");
  const std::string report = folder_->file("run_report");
  const auto result = testing::run_program(
      fmt::format("run --events 2 --pileup 0 --model {} --metrics-json {} --report {} --threads 2",
                  model_path_, metrics_path, report));
  ASSERT_EQ(result.status, 0) << result.output;
  const nlohmann::json metrics = read_json(metrics_path);
  EXPECT_EQ(metrics["events"].get<int>(), 2);
  EXPECT_GT(metrics["tracks_in"].get<int>(), 10);
  EXPECT_GT(metrics["reconstruction_ms_per_event"].get<double>(), 0.0);
  EXPECT_TRUE(std::filesystem::exists(report + "/report.md"));
}

TEST_F(RunValidateCommands, RunWithUncalibratedModelSuggestsCalibrate) {
  const auto result = testing::run_program(
      fmt::format("run --input {} --model {}", events_path_, uncalibrated_path_));
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("calibrate"), std::string::npos) << result.output;
}

TEST_F(RunValidateCommands, RunWithMissingModelNamesFile) {
  const auto result = testing::run_program(
      fmt::format("run --input {} --model {}", events_path_, folder_->file("missing.safetensors")));
  EXPECT_EQ(result.status, 3) << result.output;
  EXPECT_NE(result.output.find("missing.safetensors"), std::string::npos) << result.output;
}

}  // namespace
}  // namespace trackpurity::cli
