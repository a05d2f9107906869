#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/selection/calibration.hpp"
#include "trackpurity/selection/selector.hpp"
#include "trackpurity/selection/working_points.hpp"

namespace trackpurity::selection {
namespace {

// A labelled calibration sample.
struct Sample {
  std::vector<float> scores;
  std::vector<std::uint8_t> genuine;
  std::vector<float> dxy_bs;

  void add(float score, bool is_genuine, float dxy) {
    scores.push_back(score);
    genuine.push_back(is_genuine ? 1 : 0);
    dxy_bs.push_back(dxy);
  }
  WorkingPoints calibrate(const CalibrationConfig& config = {}) const {
    return selection::calibrate(scores, genuine, dxy_bs, config);
  }
};

// Sample with displaced-origin flags beside the other per-track inputs.
struct OriginSample {
  Sample tracks;
  std::vector<std::uint8_t> origin;

  void add(float score, bool is_genuine, float dxy, bool from_displaced_origin) {
    tracks.add(score, is_genuine, dxy);
    origin.push_back(from_displaced_origin ? 1 : 0);
  }
  WorkingPoints calibrate(const CalibrationConfig& config = {}) const {
    return selection::calibrate(tracks.scores, tracks.genuine, tracks.dxy_bs, config, origin);
  }
};

// Uniform in [0, 1) from the top 53 bits, the same on every platform.
double uniform(std::mt19937_64& generator) {
  return static_cast<double>(generator() >> 11) * 0x1.0p-53;
}

CalibrationConfig prompt_only() {
  CalibrationConfig config;
  config.displaced_category = false;
  return config;
}

TEST(Calibration, MinimumGenuineTracks) {
  EXPECT_EQ(minimum_genuine_tracks(0.995), 2000U);
  EXPECT_EQ(minimum_genuine_tracks(0.99), 1000U);
  EXPECT_EQ(minimum_genuine_tracks(0.9), 100U);
}

TEST(Calibration, ThresholdIsScoreOfIndexK) {
  // Scores i / 2000 for i = 1..2000: k = floor(0.005 * 2000) = 10, so the
  // threshold is the 11th lowest score and exactly 1990 tracks are kept.
  Sample sample;
  for (int i = 2000; i >= 1; --i) {
    sample.add(static_cast<float>(i) / 2000.0F, true, 0.0F);
  }
  const WorkingPoints points = sample.calibrate(prompt_only());
  EXPECT_EQ(points.main_threshold, static_cast<double>(11.0F / 2000.0F));
  EXPECT_EQ(points.all.genuine_tracks, 2000U);
  EXPECT_EQ(points.all.kept_tracks, 1990U);
  EXPECT_DOUBLE_EQ(points.all.recall, 0.995);
}

TEST(Calibration, NonIntegerQuantileRoundsDown) {
  // N = 2500: (1 - 0.995) * 2500 = 12.5, so k = 12 and 2488 tracks (99.52 %) are kept.
  Sample sample;
  for (int i = 1; i <= 2500; ++i) {
    sample.add(static_cast<float>(i), true, 0.0F);
  }
  const WorkingPoints points = sample.calibrate(prompt_only());
  EXPECT_EQ(points.main_threshold, 13.0);
  EXPECT_EQ(points.all.kept_tracks, 2488U);
  EXPECT_GE(points.all.recall, 0.995);
}

TEST(Calibration, TiesAtThresholdAreAllKept) {
  // 20 genuine tracks share the lowest score; the threshold falls on them and
  // score >= threshold keeps every track.
  Sample sample;
  for (int i = 0; i < 20; ++i) {
    sample.add(0.1F, true, 0.0F);
  }
  for (int i = 0; i < 1980; ++i) {
    sample.add(0.2F + 1e-4F * static_cast<float>(i), true, 0.0F);
  }
  const WorkingPoints points = sample.calibrate(prompt_only());
  EXPECT_EQ(points.main_threshold, static_cast<double>(0.1F));
  EXPECT_EQ(points.all.kept_tracks, 2000U);
}

TEST(Calibration, FakesDoNotMoveThreshold) {
  Sample sample;
  for (int i = 1; i <= 2000; ++i) {
    sample.add(static_cast<float>(i), true, 0.0F);
    sample.add(0.5F, false, 0.0F);
  }
  EXPECT_EQ(sample.calibrate(prompt_only()).main_threshold, 11.0);
}

TEST(Calibration, ThresholdsMatchAnalyticQuantiles) {
  // 180000 prompt genuine tracks with scores of CDF x^2, 20000 displaced
  // genuine tracks (dxy = 1 cm) uniform on [0, 0.5], and 100000 fakes.
  std::mt19937_64 generator(20240611);
  Sample sample;
  for (int i = 0; i < 180000; ++i) {
    sample.add(static_cast<float>(std::sqrt(uniform(generator))), true, 0.01F);
  }
  for (int i = 0; i < 20000; ++i) {
    sample.add(static_cast<float>(0.5 * uniform(generator)), true, i % 2 == 0 ? 1.0F : -1.0F);
  }
  for (int i = 0; i < 100000; ++i) {
    const double u = uniform(generator);
    sample.add(static_cast<float>(u * u), false, 0.0F);
  }
  const WorkingPoints points = sample.calibrate();

  // Main: 0.9 t^2 + 0.1 (2 t) = 0.005 for t <= 0.25.
  const double target = 0.005;
  const double main_quantile = (-0.2 + std::sqrt(0.04 + 4.0 * 0.9 * target)) / 1.8;
  const double main_density = 1.8 * main_quantile + 0.2;
  // Standard deviation of a sample quantile: sqrt(q (1 - q) / N) / density.
  const double main_sigma = std::sqrt(target * (1.0 - target) / 200000.0) / main_density;
  EXPECT_NEAR(points.main_threshold, main_quantile, 5.0 * main_sigma);

  // Displaced: 2 t = 0.005.
  const double displaced_quantile = target / 2.0;
  const double displaced_sigma = std::sqrt(target * (1.0 - target) / 20000.0) / 2.0;
  EXPECT_NEAR(points.displaced_threshold, displaced_quantile, 5.0 * displaced_sigma);

  // The full keep rule keeps at least the target in both categories.
  EXPECT_EQ(points.all.genuine_tracks, 200000U);
  EXPECT_EQ(points.displaced.genuine_tracks, 20000U);
  EXPECT_GE(points.all.recall, 0.995);
  EXPECT_GE(points.displaced.recall, 0.995);
  EXPECT_LT(points.all.recall_interval.low, points.all.recall);
  EXPECT_GT(points.all.recall_interval.high, points.all.recall);
  EXPECT_LT(points.displaced.recall_interval.low, points.displaced.recall);
  EXPECT_GT(points.displaced.recall_interval.high, points.displaced.recall);
  EXPECT_DOUBLE_EQ(points.all.recall,
                   static_cast<double>(points.all.kept_tracks) / points.all.genuine_tracks);
}

TEST(Calibration, TooFewGenuineTracksRejected) {
  Sample sample;
  for (int i = 1; i <= 1999; ++i) {
    sample.add(static_cast<float>(i), true, 0.0F);
  }
  try {
    (void)sample.calibrate(prompt_only());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("at least 2000 genuine tracks"), std::string::npos) << message;
    EXPECT_NE(message.find("has 1999"), std::string::npos) << message;
  }
}

TEST(Calibration, TooFewDisplacedTracksRejected) {
  Sample sample;
  for (int i = 1; i <= 2000; ++i) {
    sample.add(static_cast<float>(i), true, 0.0F);
  }
  for (int i = 1; i <= 1999; ++i) {
    sample.add(static_cast<float>(i), true, 2.0F);
  }
  try {
    (void)sample.calibrate();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("at least 2000 genuine tracks in each category"), std::string::npos)
        << message;
    EXPECT_NE(message.find("has 1999 genuine displaced tracks"), std::string::npos) << message;
    EXPECT_NE(message.find("--no-displaced-category"), std::string::npos) << message;
  }
  // Without the displaced category the same sample calibrates.
  const WorkingPoints points = sample.calibrate(prompt_only());
  EXPECT_FALSE(points.displaced_category);
  EXPECT_EQ(points.displaced_threshold, points.main_threshold);
}

TEST(Calibration, EveryShortCategoryNamedOnce) {
  // 2500 prompt genuine tracks, of which 1500 have a displaced origin, and
  // 1200 displaced genuine tracks: both smaller categories are short.
  OriginSample sample;
  for (int i = 1; i <= 2500; ++i) {
    sample.add(static_cast<float>(i), true, 0.0F, i <= 1500);
  }
  for (int i = 1; i <= 1200; ++i) {
    sample.add(static_cast<float>(i), true, 2.0F, false);
  }
  try {
    (void)sample.calibrate();
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("1200 genuine displaced tracks and 1500 genuine displaced-origin "
                           "tracks"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("--no-displaced-category, --no-displaced-origin"), std::string::npos)
        << message;
    EXPECT_NE(message.find("--target-recall"), std::string::npos) << message;
    EXPECT_EQ(message.find("3700 genuine tracks"), std::string::npos) << message;
  }
}

// 200000 prompt genuine tracks with scores j / 200000 and 2000 genuine
// displaced-origin tracks at dxy 0.1 cm with scores i / 20000 (i = 1..2000).
// The displaced-origin tracks score lowest, so they set the main threshold.
OriginSample binding_origin_sample() {
  OriginSample sample;
  for (int j = 1; j <= 200000; ++j) {
    sample.add(static_cast<float>(j) / 200000.0F, true, 0.0F, false);
  }
  for (int i = 1; i <= 2000; ++i) {
    sample.add(static_cast<float>(i) / 20000.0F, true, 0.1F, true);
  }
  return sample;
}

TEST(Calibration, DisplacedOffStoresMainThreshold) {
  // With the displaced category off, the stored displaced threshold follows
  // the main threshold after the displaced-origin category has lowered it.
  const OriginSample sample = binding_origin_sample();
  const WorkingPoints points = sample.calibrate(prompt_only());
  EXPECT_EQ(points.displaced_threshold, points.main_threshold);
}

TEST(Calibration, DisplacedCutIsConfigurable) {
  // With the cut at 3 cm, tracks at dxy = 2 cm are prompt and the displaced category is empty.
  Sample sample;
  for (int i = 1; i <= 4000; ++i) {
    sample.add(static_cast<float>(i), true, 2.0F);
  }
  CalibrationConfig config;
  config.displaced_dxy_cut = 3.0;
  EXPECT_THROW((void)sample.calibrate(config), ConfigError);
  config.displaced_dxy_cut = 1.0;
  EXPECT_EQ(sample.calibrate(config).displaced.genuine_tracks, 4000U);
}

TEST(Calibration, InvalidInputsRejected) {
  Sample sample;
  for (int i = 1; i <= 2000; ++i) {
    sample.add(static_cast<float>(i), true, 0.0F);
  }
  Sample mismatched = sample;
  mismatched.dxy_bs.pop_back();
  EXPECT_THROW((void)mismatched.calibrate(prompt_only()), std::invalid_argument);

  Sample with_nan = sample;
  with_nan.scores[5] = std::nanf("");
  EXPECT_THROW((void)with_nan.calibrate(prompt_only()), std::invalid_argument);

  CalibrationConfig bad_target = prompt_only();
  bad_target.target_recall = 1.0;
  EXPECT_THROW((void)sample.calibrate(bad_target), ConfigError);
}

TEST(Calibration, DisplacedOriginLowersMainThreshold) {
  // On all 202000 tracks of binding_origin_sample() the threshold would keep 99.5 % and lose about 4.6 %
  // of the displaced-origin tracks. To keep 1990 of those 2000 the threshold
  // must be their 11th lowest score, 11 / 20000.
  const OriginSample sample = binding_origin_sample();
  const WorkingPoints without = sample.tracks.calibrate(prompt_only());
  EXPECT_GT(without.main_threshold, 0.004);

  const WorkingPoints points = sample.calibrate(prompt_only());
  EXPECT_EQ(points.main_threshold, static_cast<double>(11.0F / 20000.0F));
  EXPECT_EQ(points.displaced_origin.genuine_tracks, 2000U);
  EXPECT_EQ(points.displaced_origin.kept_tracks, 1990U);
  EXPECT_DOUBLE_EQ(points.displaced_origin.recall, 0.995);
  EXPECT_GT(points.all.kept_tracks, without.all.kept_tracks);
  EXPECT_EQ(points.displaced_origin_min_radius, 0.5);
  EXPECT_EQ(points.displaced_origin_max_radius, 10.0);
}

TEST(Calibration, DisplacedOriginNotBindingKeepsThreshold) {
  // Displaced-origin tracks that all score above the main threshold leave it as it is.
  OriginSample sample;
  for (int j = 1; j <= 4000; ++j) {
    sample.add(static_cast<float>(j) / 4000.0F, true, 0.0F, false);
  }
  for (int i = 1; i <= 2000; ++i) {
    sample.add(0.5F + static_cast<float>(i) / 4000.0F, true, 0.0F, true);
  }
  const WorkingPoints points = sample.calibrate(prompt_only());
  EXPECT_EQ(points.main_threshold, sample.tracks.calibrate(prompt_only()).main_threshold);
  EXPECT_EQ(points.displaced_origin.kept_tracks, 2000U);
}

TEST(Calibration, OriginThresholdIsHighestPossible) {
  // Random scores with both categories on. Displaced-origin tracks beyond the
  // dxy cut that pass the displaced threshold count as kept whatever the main
  // threshold. The main threshold is the highest that keeps 99.5 % of the
  // category, so the next higher score among the rest would lose too many.
  std::mt19937_64 generator(7);
  OriginSample sample;
  for (int i = 0; i < 50000; ++i) {
    sample.add(static_cast<float>(std::sqrt(uniform(generator))), true, 0.01F, false);
  }
  for (int i = 0; i < 3000; ++i) {
    sample.add(static_cast<float>(0.6 * uniform(generator)), true, 1.0F, false);
  }
  for (int i = 0; i < 4000; ++i) {
    const float dxy = i % 4 == 0 ? 2.0F : 0.2F;
    sample.add(static_cast<float>(0.7 * uniform(generator)), true, dxy, true);
  }
  for (int i = 0; i < 20000; ++i) {
    sample.add(static_cast<float>(0.3 * uniform(generator)), false, 0.0F, false);
  }
  const WorkingPoints points = sample.calibrate();
  EXPECT_GE(points.displaced_origin.recall, 0.995);
  EXPECT_GE(points.all.recall, 0.995);
  EXPECT_GE(points.displaced.recall, 0.995);
  EXPECT_LT(points.main_threshold, sample.tracks.calibrate().main_threshold);

  WorkingPoints raised = points;
  float next_score = 2.0F;
  for (std::size_t i = 0; i < sample.origin.size(); ++i) {
    const float score = sample.tracks.scores[i];
    if (sample.origin[i] != 0 && score > points.main_threshold && score < next_score) {
      next_score = score;
    }
  }
  raised.main_threshold = next_score;
  std::uint64_t kept_when_raised = 0;
  for (std::size_t i = 0; i < sample.origin.size(); ++i) {
    if (sample.origin[i] != 0 &&
        keep_track(raised, sample.tracks.scores[i], sample.tracks.dxy_bs[i])) {
      ++kept_when_raised;
    }
  }
  EXPECT_LT(static_cast<double>(kept_when_raised), 0.995 * 4000.0);
}

TEST(Calibration, DisplacedOriginInputsChecked) {
  OriginSample sample;
  for (int i = 1; i <= 4000; ++i) {
    sample.add(static_cast<float>(i), true, 0.0F, i <= 1999);
  }
  try {
    (void)sample.calibrate(prompt_only());
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("has 1999 genuine displaced-origin tracks"), std::string::npos)
        << message;
    EXPECT_NE(message.find("--no-displaced-origin"), std::string::npos) << message;
  }

  OriginSample flagged_fake = sample;
  flagged_fake.tracks.genuine[3] = 0;
  EXPECT_THROW((void)flagged_fake.calibrate(prompt_only()), std::invalid_argument);

  OriginSample short_flags = sample;
  short_flags.origin.pop_back();
  EXPECT_THROW((void)short_flags.calibrate(prompt_only()), std::invalid_argument);

  CalibrationConfig inverted = prompt_only();
  inverted.displaced_origin_min_radius = 10.0;
  inverted.displaced_origin_max_radius = 0.5;
  EXPECT_THROW((void)sample.tracks.calibrate(inverted), ConfigError);
}

TEST(WorkingPoints, JsonRoundTrip) {
  WorkingPoints points;
  points.main_threshold = 0.377;
  points.displaced_threshold = 0.267;
  points.displaced_dxy_cut = 0.6;
  points.target_recall = 0.99;
  points.all = {100000, 99000, 0.99, {0.9897, 0.9903}};
  points.displaced = {5000, 4960, 0.992, {0.9907, 0.9931}};
  points.displaced_origin = {12000, 11950, 0.9958, {0.9952, 0.9963}};
  points.displaced_origin_min_radius = 1.0;
  points.displaced_origin_max_radius = 20.0;
  const nlohmann::json json = to_json(points);
  EXPECT_EQ(json.at("displaced_dxy_cut_cm").get<double>(), 0.6);
  EXPECT_EQ(working_points_from_json(json, "model.safetensors"), points);
}

TEST(WorkingPoints, ReadsFileWithoutOrigin) {
  // Model files calibrated before the displaced-origin category lack it.
  WorkingPoints points;
  points.main_threshold = 0.8;
  nlohmann::json json = to_json(points);
  json["calibration"].erase("displaced_origin");
  json["calibration"].erase("displaced_origin_radius_cm");
  const WorkingPoints read = working_points_from_json(json, "old.safetensors");
  EXPECT_EQ(read.main_threshold, 0.8);
  EXPECT_EQ(read.displaced_origin.genuine_tracks, 0U);

  json = to_json(points);
  json["calibration"]["displaced_origin_radius_cm"] = {0.5};
  try {
    (void)working_points_from_json(json, "m.json");
    FAIL() << "expected FileError";
  } catch (const FileError& error) {
    EXPECT_EQ(error.field(), "working_points.calibration.displaced_origin_radius_cm");
  }
}

TEST(WorkingPoints, KeepRuleInWords) {
  WorkingPoints points;
  points.main_threshold = 0.480951;
  points.displaced_threshold = 0.26428;
  EXPECT_EQ(keep_rule_text(points), "score >= 0.481, or |dxy_bs| > 0.5 cm and score >= 0.2643");
  points.displaced_category = false;
  EXPECT_EQ(keep_rule_text(points), "score >= 0.481");
}

TEST(WorkingPoints, MissingFieldNamed) {
  nlohmann::json json = to_json(WorkingPoints{});
  json.erase("main_threshold");
  try {
    (void)working_points_from_json(json, "model.safetensors");
    FAIL() << "expected FileError";
  } catch (const FileError& error) {
    EXPECT_EQ(error.path(), "model.safetensors");
    EXPECT_EQ(error.field(), "working_points.main_threshold");
  }
}

TEST(WorkingPoints, MistypedFieldsRejected) {
  nlohmann::json json = to_json(WorkingPoints{});
  json["calibration"]["all"]["kept_tracks"] = -3;
  try {
    (void)working_points_from_json(json, "m.json");
    FAIL() << "expected FileError";
  } catch (const FileError& error) {
    EXPECT_EQ(error.field(), "working_points.calibration.all.kept_tracks");
  }

  json = to_json(WorkingPoints{});
  json["displaced_category"] = "yes";
  EXPECT_THROW((void)working_points_from_json(json, "m.json"), FileError);

  json = to_json(WorkingPoints{});
  json["calibration"]["displaced"]["recall_interval"] = {0.5};
  EXPECT_THROW((void)working_points_from_json(json, "m.json"), FileError);

  EXPECT_THROW((void)working_points_from_json(nlohmann::json::array(), "m.json"), FileError);
}

TEST(WorkingPoints, InvalidValuesInFileRejected) {
  nlohmann::json json = to_json(WorkingPoints{});
  json["target_recall"] = 1.5;
  try {
    (void)working_points_from_json(json, "m.json");
    FAIL() << "expected FileError";
  } catch (const FileError& error) {
    EXPECT_NE(std::string(error.what()).find("target recall must be in (0, 1)"),
              std::string::npos)
        << error.what();
  }
}

TEST(WorkingPoints, ValidateRejectsInvalidValues) {
  WorkingPoints points;
  points.main_threshold = std::nan("");
  EXPECT_THROW(points.validate(), ConfigError);
  points = {};
  points.displaced_dxy_cut = -0.1;
  EXPECT_THROW(points.validate(), ConfigError);
  points = {};
  points.confidence_level = 0.0;
  EXPECT_THROW(points.validate(), ConfigError);
  EXPECT_NO_THROW(WorkingPoints{}.validate());
}

}  // namespace
}  // namespace trackpurity::selection
