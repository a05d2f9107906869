#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "support/run_program.hpp"
#include "trackpurity/io/event_writer.hpp"
#include "trackpurity/nn/safetensors.hpp"

namespace trackpurity {
namespace {

namespace fs = std::filesystem;

using test_support::run_program;

// A track whose fit quality separates genuine from fake: fakes have a larger
// chi2/ndof and more missing layers.
edm::Track make_track(bool genuine, std::mt19937_64& engine) {
  std::normal_distribution<double> gauss(0.0, 1.0);
  edm::Track track;
  const edm::Vector3 momentum{1.0 + std::abs(gauss(engine)), gauss(engine), gauss(engine)};
  track.reference_point = {0.001 * gauss(engine), 0.001 * gauss(engine), 3.0 * gauss(engine)};
  track.parameters = edm::parameters_from_state(track.reference_point, momentum, 1);
  track.charge = 1;
  for (int i = 0; i < 5; ++i) {
    track.covariance.set(static_cast<edm::ParameterIndex>(i), static_cast<edm::ParameterIndex>(i),
                         1e-4 * (1.0 + std::abs(gauss(engine))));
  }
  track.ndof = 11;
  track.chi2 = track.ndof * (genuine ? 1.0 + 0.3 * gauss(engine) : 4.0 + gauss(engine));
  for (int layer = 1; layer <= 4; ++layer) {
    const bool missing = !genuine && layer == 3;
    track.hit_pattern.push_back({edm::Subdetector::kPixelBarrel, static_cast<std::uint8_t>(layer),
                                 missing ? edm::HitType::kMissing : edm::HitType::kValid});
  }
  for (int layer = 1; layer <= 4; ++layer) {
    track.hit_pattern.push_back(
        {edm::Subdetector::kOuterBarrelPS, static_cast<std::uint8_t>(layer), edm::HitType::kValid});
  }
  return track;
}

// Writes `events` events of 40 tracks with truth, a quarter of them fake.
void write_track_file(const fs::path& path, int events, bool with_truth) {
  io::EventWriterConfig config;
  config.tables = io::TableMask::tracks_without_hits();
  config.tables.track_truth = with_truth;
  io::EventWriter writer(path.string(), config);
  std::mt19937_64 engine(17);
  for (int number = 0; number < events; ++number) {
    edm::Event event;
    event.number = static_cast<std::uint64_t>(number);
    for (int i = 0; i < 40; ++i) {
      const bool genuine = i % 4 != 0;
      event.tracks.push_back(make_track(genuine, engine));
      edm::TrackTruth truth;
      truth.genuine = genuine;
      truth.particle = genuine ? i : -1;
      truth.shared_fraction = genuine ? 1.0F : 0.5F;
      event.track_truth.push_back(truth);
    }
    if (!with_truth) {
      event.track_truth.clear();
    }
    writer.write(event);
  }
  writer.close();
}

class TrainCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() / ("trackpurity_train_" + std::to_string(::getpid()));
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  fs::path directory_;
};

TEST_F(TrainCommand, WritesModelWithProvenanceAndMetrics) {
  const fs::path tracks = directory_ / "tracks.h5";
  write_track_file(tracks, 30, true);
  const fs::path model = directory_ / "model.safetensors";
  const fs::path metrics = directory_ / "metrics.json";
  const auto [status, output] = run_program(
      "train " + tracks.string() + " -o " + model.string() +
      " --epochs 3 --batch-size 64 --widths 16,8 --projection-width 8 --residual-blocks 1 "
      "--seed 5 --threads 1 --metrics-json " + metrics.string());
  ASSERT_EQ(status, 0) << output;

  const nn::Model loaded = nn::load_model(model.string());
  EXPECT_EQ(loaded.feature_names.size(), 15U);
  EXPECT_EQ(loaded.feature_set, "hlt15");
  EXPECT_EQ(loaded.provenance["seed"].get<int>(), 5);
  EXPECT_EQ(loaded.provenance["inputs"][0]["events"].get<int>(), 30);
  EXPECT_NE(loaded.provenance["command_line"].get<std::string>().find("--epochs 3"), std::string::npos);
  EXPECT_GT(loaded.provenance["metrics"]["test_auc"].get<double>(), 0.9);

  std::ifstream stream(metrics);
  const auto document = nlohmann::json::parse(stream);
  EXPECT_TRUE(document.contains("test_auc"));
  EXPECT_TRUE(document.contains("test_fake_rate_at_recall_0p995"));

  // inspect --json prints the metadata with the metrics under provenance.
  const auto [inspect_status, inspect_output] = run_program("inspect --json " + model.string() + " -q");
  ASSERT_EQ(inspect_status, 0) << inspect_output;
  const auto metadata = nlohmann::json::parse(inspect_output);
  EXPECT_EQ(metadata["feature_names"].size(), 15U);
  EXPECT_DOUBLE_EQ(metadata["provenance"]["metrics"]["test_auc"].get<double>(),
                   loaded.provenance["metrics"]["test_auc"].get<double>());
  EXPECT_TRUE(metadata["provenance"]["metrics"].contains("test_fake_rate_at_recall_0p995"));
}

TEST_F(TrainCommand, FeatureSubsetIsRecorded) {
  const fs::path tracks = directory_ / "tracks.h5";
  write_track_file(tracks, 20, true);
  const fs::path model = directory_ / "subset.safetensors";
  const auto [status, output] = run_program(
      "train " + tracks.string() + " -o " + model.string() +
      " --feature-list normalized_chi2,ndof,lost_hits_dummy --epochs 1 --batch-size 64");
  EXPECT_NE(status, 0);
  EXPECT_NE(output.find("lost_hits_dummy"), std::string::npos) << output;

  const auto [good_status, good_output] = run_program(
      "train " + tracks.string() + " -o " + model.string() +
      " --feature-list normalized_chi2,layers_without_measurement --epochs 1 --batch-size 64 "
      "--widths 8 --projection-width 4 --residual-blocks 0");
  ASSERT_EQ(good_status, 0) << good_output;
  const nn::Model loaded = nn::load_model(model.string());
  ASSERT_EQ(loaded.feature_names.size(), 2U);
  EXPECT_EQ(loaded.feature_names[1], "layers_without_measurement");
}

TEST_F(TrainCommand, FileWithoutTruthIsRejected) {
  const fs::path tracks = directory_ / "no_truth.h5";
  write_track_file(tracks, 5, false);
  const auto [status, output] =
      run_program("train " + tracks.string() + " -o " + (directory_ / "m.safetensors").string());
  EXPECT_EQ(status, 3);
  EXPECT_NE(output.find("truth_genuine"), std::string::npos) << output;
}

TEST_F(TrainCommand, TooFewTracksAreRejected) {
  const fs::path tracks = directory_ / "small.h5";
  write_track_file(tracks, 2, true);  // 80 tracks
  const auto [status, output] = run_program("train " + tracks.string() + " -o " +
                                            (directory_ / "m.safetensors").string() +
                                            " --batch-size 1024");
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find("fewer than one batch"), std::string::npos) << output;
}

}  // namespace
}  // namespace trackpurity
