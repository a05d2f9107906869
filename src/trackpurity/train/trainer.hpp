#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trackpurity/core/units.hpp"
#include "trackpurity/nn/architecture.hpp"
#include "trackpurity/nn/model.hpp"
#include "trackpurity/train/dataset.hpp"

namespace trackpurity::train {

enum class Optimizer { kAdam, kAdamW };
enum class LearningRateSchedule { kConstant, kCosine, kStep };
enum class LossFunction { kFocal, kBinaryCrossEntropy };
enum class Monitor { kValidationLoss, kValidationAuc };

struct TrainingConfig {
  // Network sizes; input_width is set from the feature list.
  nn::Architecture architecture;
  // Dropout probability of the dense and residual blocks during training.
  double dropout = 0.1;
  // Maximum number of passes over the training split.
  std::size_t epochs = 30;
  // Tracks per optimisation step.
  std::size_t batch_size = 1024;
  Optimizer optimizer = Optimizer::kAdamW;
  double learning_rate = 2e-3;
  // Decoupled weight decay for AdamW, L2 penalty for Adam.
  double weight_decay = 1e-4;
  LearningRateSchedule schedule = LearningRateSchedule::kCosine;
  // Step schedule: multiply the rate by step_gamma every step_epochs epochs.
  std::size_t step_epochs = 10;
  double step_gamma = 0.3;
  LossFunction loss = LossFunction::kFocal;
  // Focal-loss weight of genuine tracks (fakes get 1 - alpha) and focusing exponent.
  double focal_alpha = 0.25;
  double focal_gamma = 2.0;
  ClassBalance class_balance = ClassBalance::kNone;
  // Loss weight of genuine tracks whose particle was produced between
  // displaced_origin_min_radius and displaced_origin_max_radius from the beam
  // line (K0S and Lambda daughters, conversions). A weight of 1 treats them
  // like the rest.
  // They are about 2 % of genuine tracks, and those pointing back to the beam
  // line score lower than prompt tracks.
  double displaced_origin_weight = 1.0;
  double displaced_origin_min_radius = 0.5 * units::cm;
  double displaced_origin_max_radius = 10.0 * units::cm;
  // Fractions of events for validation and test; the rest trains.
  double validation_fraction = 0.15;
  double test_fraction = 0.15;
  // Early stopping: stop after `patience` epochs without improvement of `monitor`.
  Monitor monitor = Monitor::kValidationAuc;
  std::size_t patience = 5;
  double min_delta = 1e-5;
  // Selection efficiency of genuine tracks at which test metrics are quoted.
  double target_recall = 0.995;
  std::uint64_t seed = 1;

  // Throws ConfigError naming the first member out of range.
  void validate() const;
  nlohmann::json to_json() const;
};

struct EpochRecord {
  std::size_t epoch = 0;
  double learning_rate = 0.0;
  double train_loss = 0.0;
  double validation_loss = 0.0;
  double validation_auc = 0.0;
  double seconds = 0.0;
  double tracks_per_second = 0.0;
};

// Quality of a score on a labelled sample.
struct Evaluation {
  std::size_t tracks = 0;
  std::size_t genuine = 0;
  double auc = 0.0;
  double auc_error = 0.0;
  // Working point keeping target_recall of the genuine tracks.
  double threshold_at_recall = 0.0;
  double recall_achieved = 0.0;
  // Fake tracks among the kept tracks at that working point.
  double fake_rate_at_recall = 0.0;
  // Before any selection: fake tracks / all tracks.
  double fake_rate_before = 0.0;
  // Cut-based high-purity selection on the same tracks, when quality levels are given.
  bool has_cut_based = false;
  double cut_recall = 0.0;
  double cut_fake_rate = 0.0;
  // Fake rate among kept tracks of the network at the cut-based selection's recall.
  double network_fake_rate_at_cut_recall = 0.0;

  nlohmann::json to_json() const;
};

struct TrainingResult {
  nn::Model model;  // the best epoch's weights, with normalisation and provenance metrics
  std::vector<EpochRecord> history;
  std::size_t best_epoch = 0;
  bool stopped_early = false;
  std::size_t train_tracks = 0;
  std::size_t validation_tracks = 0;
  std::size_t train_events = 0;
  std::size_t validation_events = 0;
  std::size_t test_events = 0;
  Evaluation test;
  double seconds = 0.0;
};

// Called after each epoch (for the progress line and logs).
using EpochCallback = std::function<void(const EpochRecord&, bool is_best)>;
// Called after each batch with (batches done, batches per epoch).
using BatchCallback = std::function<void(std::size_t, std::size_t)>;

// Trains a network of the residual MLP family on `tracks` and returns the
// best epoch's model. Deterministic for a seed on a given machine and thread
// count. Throws ConfigError for an invalid configuration, a sample with a
// single class, or a training split smaller than one batch.
TrainingResult train_network(const LabelledTracks& tracks, const std::string& feature_set,
                             const TrainingConfig& config, const EpochCallback& on_epoch = {},
                             const BatchCallback& on_batch = {});

// Evaluates scores of a labelled sample. `cut_high_purity` (optional, one
// entry per track) marks the tracks that pass the cut-based high-purity selection.
Evaluation evaluate_scores(const std::vector<float>& scores, const std::vector<std::uint8_t>& labels,
                           double target_recall,
                           const std::vector<std::uint8_t>& cut_high_purity = {});

}  // namespace trackpurity::train
