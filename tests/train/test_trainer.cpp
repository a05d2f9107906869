#include <gtest/gtest.h>

#include <random>

#include "trackpurity/core/error.hpp"
#include "trackpurity/nn/reference_engine.hpp"
#include "trackpurity/train/trainer.hpp"

namespace trackpurity::train {
namespace {

// `events` events of 10 tracks: feature a separates the classes (genuine
// N(1, 1), fake N(-1, 1)), feature b is noise. Every third track is fake.
LabelledTracks make_sample(std::uint32_t events, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::normal_distribution<float> gauss(0.0F, 1.0F);
  LabelledTracks tracks;
  tracks.feature_names = {"a", "b"};
  for (std::uint32_t event = 0; event < events; ++event) {
    for (int track = 0; track < 10; ++track) {
      const bool genuine = track % 3 != 0;
      tracks.features.push_back(gauss(engine) + (genuine ? 1.0F : -1.0F));
      tracks.features.push_back(gauss(engine));
      tracks.labels.push_back(genuine ? 1 : 0);
      tracks.event_ids.push_back(event);
      tracks.abs_dxy.push_back(0.01F);
    }
  }
  return tracks;
}

TrainingConfig small_config() {
  TrainingConfig config;
  config.architecture.dense_widths = {16, 8};
  config.architecture.projection_width = 8;
  config.architecture.residual_blocks = 1;
  config.epochs = 4;
  config.batch_size = 32;
  config.learning_rate = 1e-2;
  config.schedule = LearningRateSchedule::kConstant;
  config.patience = 10;
  config.validation_fraction = 0.25;
  config.test_fraction = 0.25;
  config.seed = 7;
  return config;
}

TEST(TrainNetwork, TinyRunLowersLossAndSeparates) {
  const LabelledTracks tracks = make_sample(60, 1);
  const TrainingResult result = train_network(tracks, "custom", small_config());
  ASSERT_EQ(result.history.size(), 4U);
  EXPECT_LT(result.history.back().train_loss, result.history.front().train_loss);
  // Two unit Gaussians 2 sigma apart: AUC = Phi(2 / sqrt(2)) = 0.92.
  EXPECT_GT(result.test.auc, 0.85);
  EXPECT_EQ(result.model.feature_names, tracks.feature_names);
  EXPECT_EQ(result.model.architecture.input_width, 2U);
  EXPECT_TRUE(result.model.provenance.contains("metrics"));
  EXPECT_TRUE(result.model.provenance["metrics"].contains("test_auc"));
  EXPECT_TRUE(result.model.provenance["metrics"].contains("test_fake_rate_at_recall_0p995"));
}

TEST(TrainNetwork, SameSeedGivesSameWeights) {
  const LabelledTracks tracks = make_sample(40, 2);
  TrainingConfig config = small_config();
  config.epochs = 2;
  const TrainingResult first = train_network(tracks, "custom", config);
  const TrainingResult second = train_network(tracks, "custom", config);
  EXPECT_EQ(first.model.dense[0].linear.weight, second.model.dense[0].linear.weight);
  EXPECT_EQ(first.model.output.weight, second.model.output.weight);
  config.seed = 8;
  const TrainingResult third = train_network(tracks, "custom", config);
  EXPECT_NE(first.model.output.weight, third.model.output.weight);
}

TEST(TrainNetwork, NormalisationComesFromTrainingSplit) {
  const LabelledTracks tracks = make_sample(40, 3);
  TrainingConfig config = small_config();
  config.epochs = 1;
  const TrainingResult result = train_network(tracks, "custom", config);
  const Split split = split_by_event(tracks, config.validation_fraction, config.test_fraction, config.seed);
  const FeatureRange range = feature_range(tracks, split.train);
  EXPECT_EQ(result.model.feature_min, range.min);
  EXPECT_EQ(result.model.feature_max, range.max);
}

TEST(TrainNetwork, SingleClassIsRejected) {
  LabelledTracks tracks = make_sample(40, 4);
  tracks.labels.assign(tracks.rows(), 1);
  try {
    (void)train_network(tracks, "custom", small_config());
    FAIL() << "a single-class sample was accepted";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("single class"), std::string::npos) << error.what();
  }
}

TEST(TrainNetwork, FewerTracksThanOneBatchAreRejected) {
  const LabelledTracks tracks = make_sample(2, 5);  // 20 tracks
  TrainingConfig config = small_config();
  config.batch_size = 64;
  try {
    (void)train_network(tracks, "custom", config);
    FAIL() << "a sample smaller than one batch was accepted";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("fewer than one batch"), std::string::npos) << error.what();
  }
}

TEST(TrainNetwork, EarlyStoppingKeepsBestEpoch) {
  const LabelledTracks tracks = make_sample(40, 6);
  TrainingConfig config = small_config();
  config.epochs = 30;
  config.patience = 1;
  config.min_delta = 1.0;  // no change of AUC can beat 1.0: stop after epoch 1
  const TrainingResult result = train_network(tracks, "custom", config);
  EXPECT_EQ(result.history.size(), 2U);
  EXPECT_EQ(result.best_epoch, 0U);
  EXPECT_TRUE(result.stopped_early);
}

// Mean score of the rows in `rows` under `model`.
double mean_score(const nn::Model& model, const LabelledTracks& tracks,
                  const std::vector<std::size_t>& rows) {
  const nn::ReferenceEngine engine(model);
  double sum = 0.0;
  for (const std::size_t row : rows) {
    const std::vector<double> inputs = {tracks.features[2 * row], tracks.features[2 * row + 1]};
    sum += engine.score_row(inputs);
  }
  return sum / static_cast<double>(rows.size());
}

TEST(TrainNetwork, OriginWeightRaisesScores) {
  // One genuine track in ten comes from a displaced origin (radius 3 cm) and
  // looks like a fake in feature a. Only feature b (+1.5) sets it apart.
  // Weighting these tracks 20 times must raise their scores.
  LabelledTracks tracks = make_sample(60, 9);
  std::mt19937_64 engine(10);
  std::normal_distribution<float> gauss(0.0F, 1.0F);
  std::vector<std::size_t> origin_rows;
  tracks.production_radius.assign(tracks.rows(), -1.0F);
  for (std::size_t row = 0; row < tracks.rows(); ++row) {
    if (tracks.labels[row] == 0) {
      continue;
    }
    tracks.production_radius[row] = 0.001F;
    if (row % 10 == 1) {
      tracks.features[2 * row] = gauss(engine) - 1.0F;
      tracks.features[2 * row + 1] = gauss(engine) + 1.5F;
      tracks.production_radius[row] = 3.0F;
      origin_rows.push_back(row);
    }
  }
  TrainingConfig config = small_config();
  config.epochs = 6;
  config.loss = LossFunction::kBinaryCrossEntropy;
  const double plain = mean_score(train_network(tracks, "custom", config).model, tracks, origin_rows);
  config.displaced_origin_weight = 20.0;
  const TrainingResult weighted = train_network(tracks, "custom", config);
  EXPECT_GT(mean_score(weighted.model, tracks, origin_rows), plain + 0.1);
  EXPECT_EQ(weighted.model.provenance["training"]["config"]["displaced_origin_weight"].get<double>(), 20.0);
}

TEST(TrainNetwork, OriginWeightNeedsRadii) {
  const LabelledTracks tracks = make_sample(40, 11);
  TrainingConfig config = small_config();
  config.displaced_origin_weight = 5.0;
  try {
    (void)train_network(tracks, "custom", config);
    FAIL() << "a displaced-origin weight without production radii was accepted";
  } catch (const ConfigError& error) {
    EXPECT_NE(std::string(error.what()).find("particle table"), std::string::npos)
        << error.what();
  }
}

TEST(TrainingConfig, InvalidValuesAreRejected) {
  TrainingConfig config;
  config.batch_size = 1;
  EXPECT_THROW(config.validate(), ConfigError);
  config = TrainingConfig{};
  config.dropout = 1.0;
  EXPECT_THROW(config.validate(), ConfigError);
  config = TrainingConfig{};
  config.learning_rate = 0.0;
  EXPECT_THROW(config.validate(), ConfigError);
  config = TrainingConfig{};
  config.displaced_origin_weight = 0.0;
  EXPECT_THROW(config.validate(), ConfigError);
  config = TrainingConfig{};
  config.displaced_origin_max_radius = config.displaced_origin_min_radius;
  EXPECT_THROW(config.validate(), ConfigError);
}

TEST(EvaluateScores, CutBasedComparisonAtSameRecall) {
  // 4 genuine and 4 fakes; the cut keeps 3 genuine and 2 fakes (recall 0.75).
  const std::vector<float> scores = {0.9F, 0.8F, 0.7F, 0.2F, 0.6F, 0.3F, 0.1F, 0.05F};
  const std::vector<std::uint8_t> labels = {1, 1, 1, 1, 0, 0, 0, 0};
  const std::vector<std::uint8_t> cut = {1, 1, 1, 0, 1, 1, 0, 0};
  const Evaluation evaluation = evaluate_scores(scores, labels, 0.75, cut);
  EXPECT_TRUE(evaluation.has_cut_based);
  EXPECT_DOUBLE_EQ(evaluation.cut_recall, 0.75);
  EXPECT_DOUBLE_EQ(evaluation.cut_fake_rate, 0.4);
  // At recall 0.75 the network threshold is 0.7: it keeps 0.9, 0.8, 0.7 and no fake.
  EXPECT_DOUBLE_EQ(evaluation.network_fake_rate_at_cut_recall, 0.0);
  EXPECT_DOUBLE_EQ(evaluation.fake_rate_before, 0.5);
  // AUC: genuine 0.2 loses to 0.6 and 0.3, everything else wins: 14/16.
  EXPECT_DOUBLE_EQ(evaluation.auc, 14.0 / 16.0);
}

}  // namespace
}  // namespace trackpurity::train
