#include "trackpurity/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <set>

#include <torch/torch.h>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/roc.hpp"
#include "trackpurity/nn/torch/purity_net.hpp"
#include "trackpurity/train/early_stopping.hpp"
#include "trackpurity/train/loss.hpp"

namespace trackpurity::train {

namespace {

// Rows scored at once in evaluation, to bound the memory of activations.
constexpr std::int64_t kEvaluationChunk = 65536;

std::string to_string(Optimizer optimizer) {
  return optimizer == Optimizer::kAdam ? "adam" : "adamw";
}

std::string to_string(LearningRateSchedule schedule) {
  switch (schedule) {
    case LearningRateSchedule::kConstant:
      return "constant";
    case LearningRateSchedule::kCosine:
      return "cosine";
    case LearningRateSchedule::kStep:
      return "step";
  }
  return "unknown";
}

std::string to_string(ClassBalance balance) {
  switch (balance) {
    case ClassBalance::kNone:
      return "none";
    case ClassBalance::kWeights:
      return "weights";
    case ClassBalance::kUndersample:
      return "undersample";
  }
  return "unknown";
}

double learning_rate_at(const TrainingConfig& config, std::size_t epoch) {
  switch (config.schedule) {
    case LearningRateSchedule::kConstant:
      return config.learning_rate;
    case LearningRateSchedule::kCosine:
      return config.learning_rate * 0.5 *
             (1.0 + std::cos(std::numbers::pi * static_cast<double>(epoch) /
                             static_cast<double>(config.epochs)));
    case LearningRateSchedule::kStep:
      return config.learning_rate *
             std::pow(config.step_gamma, static_cast<double>(epoch / config.step_epochs));
  }
  return config.learning_rate;
}

torch::Tensor index_tensor(const std::vector<std::size_t>& rows) {
  std::vector<std::int64_t> indices(rows.begin(), rows.end());
  return torch::tensor(indices, torch::kLong);
}

std::size_t count_events(const LabelledTracks& tracks, const std::vector<std::size_t>& rows) {
  std::set<std::uint32_t> events;
  for (const std::size_t row : rows) {
    events.insert(tracks.event_ids[row]);
  }
  return events.size();
}

// Loss of the configured kind on logits.
torch::Tensor compute_loss(const TrainingConfig& config, const torch::Tensor& logits,
                           const torch::Tensor& targets, const torch::Tensor& weights) {
  if (config.loss == LossFunction::kFocal) {
    return focal_loss(logits, targets, config.focal_alpha, config.focal_gamma, weights);
  }
  return binary_cross_entropy_loss(logits, targets, weights);
}

// Logits of every row of `inputs`, in chunks, in evaluation mode.
torch::Tensor evaluate_logits(nn::PurityNet& net, const torch::Tensor& inputs) {
  torch::NoGradGuard no_grad;
  net->eval();
  std::vector<torch::Tensor> chunks;
  for (std::int64_t begin = 0; begin < inputs.size(0); begin += kEvaluationChunk) {
    const std::int64_t end = std::min(inputs.size(0), begin + kEvaluationChunk);
    chunks.push_back(net->logits(inputs.slice(0, begin, end)).reshape({-1}));
  }
  return chunks.empty() ? torch::zeros({0}) : torch::cat(chunks);
}

std::vector<float> to_vector(const torch::Tensor& tensor) {
  const torch::Tensor contiguous = tensor.contiguous().to(torch::kFloat);
  return {contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel()};
}

void check_sample(const LabelledTracks& tracks, const TrainingConfig& config) {
  const std::size_t rows = tracks.rows();
  if (tracks.columns() == 0) {
    throw ConfigError("the training sample has no features");
  }
  if (tracks.features.size() != rows * tracks.columns() || tracks.event_ids.size() != rows ||
      tracks.abs_dxy.size() != rows ||
      (!tracks.cut_high_purity.empty() && tracks.cut_high_purity.size() != rows) ||
      (!tracks.production_radius.empty() && tracks.production_radius.size() != rows)) {
    throw ConfigError("inconsistent training sample: " + std::to_string(rows) + " labels, " +
                      std::to_string(tracks.features.size()) + " feature values for " +
                      std::to_string(tracks.columns()) + " features, " +
                      std::to_string(tracks.event_ids.size()) + " event ids");
  }
  const auto genuine = static_cast<std::size_t>(
      std::count_if(tracks.labels.begin(), tracks.labels.end(), [](auto l) { return l != 0; }));
  if (genuine == 0 || genuine == rows) {
    throw ConfigError("the training sample has a single class: " + std::to_string(genuine) +
                      " genuine and " + std::to_string(rows - genuine) +
                      " fake tracks; both classes are needed");
  }
  if (config.displaced_origin_weight != 1.0 && tracks.production_radius.empty()) {
    throw ConfigError(
        "a displaced-origin weight needs the production radius of every genuine track: give "
        "input files with their particle table, as `trackpurity reconstruct` writes them");
  }
  if (rows < config.batch_size) {
    throw ConfigError("the training sample has " + std::to_string(rows) +
                      " tracks, fewer than one batch of " + std::to_string(config.batch_size));
  }
}

}  // namespace

void TrainingConfig::validate() const {
  if (epochs == 0) {
    throw ConfigError("epochs must be at least 1");
  }
  if (batch_size < 2) {
    throw ConfigError("batch size must be at least 2 (BatchNorm needs two rows), found " +
                      std::to_string(batch_size));
  }
  if (!(learning_rate > 0.0) || !std::isfinite(learning_rate)) {
    throw ConfigError("learning rate must be positive, found " + std::to_string(learning_rate));
  }
  if (weight_decay < 0.0) {
    throw ConfigError("weight decay must not be negative, found " + std::to_string(weight_decay));
  }
  if (dropout < 0.0 || dropout >= 1.0) {
    throw ConfigError("dropout must be in [0, 1), found " + std::to_string(dropout));
  }
  if (focal_alpha <= 0.0 || focal_alpha >= 1.0 || focal_gamma < 0.0) {
    throw ConfigError("focal loss needs alpha in (0, 1) and gamma >= 0, found alpha " +
                      std::to_string(focal_alpha) + " and gamma " + std::to_string(focal_gamma));
  }
  if (step_epochs == 0 || !(step_gamma > 0.0)) {
    throw ConfigError("step schedule needs step_epochs >= 1 and step_gamma > 0");
  }
  if (!(displaced_origin_weight > 0.0) || !std::isfinite(displaced_origin_weight)) {
    throw ConfigError("displaced-origin weight must be positive, found " +
                      std::to_string(displaced_origin_weight));
  }
  if (!(displaced_origin_min_radius >= 0.0) ||
      !(displaced_origin_max_radius > displaced_origin_min_radius) ||
      !std::isfinite(displaced_origin_max_radius)) {
    throw ConfigError("displaced-origin radii need 0 <= min < max, finite, found [" +
                      std::to_string(displaced_origin_min_radius / units::cm) + ", " +
                      std::to_string(displaced_origin_max_radius / units::cm) + "] cm");
  }
  if (!(target_recall > 0.0 && target_recall < 1.0)) {
    throw ConfigError("target recall must be in (0, 1), found " + std::to_string(target_recall));
  }
}

nlohmann::json TrainingConfig::to_json() const {
  return {{"architecture", architecture.to_json()},
          {"dropout", dropout},
          {"epochs", epochs},
          {"batch_size", batch_size},
          {"optimizer", to_string(optimizer)},
          {"learning_rate", learning_rate},
          {"weight_decay", weight_decay},
          {"schedule", to_string(schedule)},
          {"step_epochs", step_epochs},
          {"step_gamma", step_gamma},
          {"loss", loss == LossFunction::kFocal ? "focal" : "bce"},
          {"focal_alpha", focal_alpha},
          {"focal_gamma", focal_gamma},
          {"class_balance", to_string(class_balance)},
          {"displaced_origin_weight", displaced_origin_weight},
          {"displaced_origin_radius_cm",
           {displaced_origin_min_radius / units::cm, displaced_origin_max_radius / units::cm}},
          {"validation_fraction", validation_fraction},
          {"test_fraction", test_fraction},
          {"monitor", monitor == Monitor::kValidationAuc ? "validation_auc" : "validation_loss"},
          {"patience", patience},
          {"min_delta", min_delta},
          {"target_recall", target_recall},
          {"seed", seed}};
}

nlohmann::json Evaluation::to_json() const {
  nlohmann::json document = {{"tracks", tracks},
                             {"genuine_tracks", genuine},
                             {"auc", auc},
                             {"auc_error", auc_error},
                             {"threshold_at_recall", threshold_at_recall},
                             {"recall_achieved", recall_achieved},
                             {"fake_rate_at_recall", fake_rate_at_recall},
                             {"fake_rate_before", fake_rate_before}};
  if (has_cut_based) {
    document["cut_recall"] = cut_recall;
    document["cut_fake_rate"] = cut_fake_rate;
    document["network_fake_rate_at_cut_recall"] = network_fake_rate_at_cut_recall;
  }
  return document;
}

Evaluation evaluate_scores(const std::vector<float>& scores, const std::vector<std::uint8_t>& labels,
                           double target_recall, const std::vector<std::uint8_t>& cut_high_purity) {
  Evaluation evaluation;
  evaluation.tracks = scores.size();
  evaluation.genuine = static_cast<std::size_t>(
      std::count_if(labels.begin(), labels.end(), [](auto l) { return l != 0; }));
  if (scores.empty()) {
    return evaluation;
  }
  evaluation.auc = roc::auc(scores, labels);
  evaluation.auc_error =
      roc::auc_error(evaluation.auc, evaluation.genuine, evaluation.tracks - evaluation.genuine);
  evaluation.fake_rate_before =
      static_cast<double>(evaluation.tracks - evaluation.genuine) / static_cast<double>(evaluation.tracks);

  const roc::WorkingPoint point = roc::working_point_at_efficiency(scores, labels, target_recall);
  evaluation.threshold_at_recall = point.threshold;
  evaluation.recall_achieved = point.signal_efficiency;
  evaluation.fake_rate_at_recall = point.background_fraction_of_kept();

  // The cut-based selection's recall and purity, and the network at that recall.
  if (cut_high_purity.size() == scores.size() && evaluation.genuine > 0) {
    std::size_t genuine_kept = 0;
    std::size_t fake_kept = 0;
    for (std::size_t i = 0; i < scores.size(); ++i) {
      if (cut_high_purity[i] != 0) {
        (labels[i] != 0 ? genuine_kept : fake_kept) += 1;
      }
    }
    evaluation.has_cut_based = true;
    evaluation.cut_recall = static_cast<double>(genuine_kept) / static_cast<double>(evaluation.genuine);
    evaluation.cut_fake_rate = genuine_kept + fake_kept > 0
                                   ? static_cast<double>(fake_kept) / static_cast<double>(genuine_kept + fake_kept)
                                   : 0.0;
    if (evaluation.cut_recall > 0.0) {
      const roc::WorkingPoint at_cut =
          roc::working_point_at_efficiency(scores, labels, evaluation.cut_recall);
      evaluation.network_fake_rate_at_cut_recall = at_cut.background_fraction_of_kept();
    }
  }
  return evaluation;
}

TrainingResult train_network(const LabelledTracks& tracks, const std::string& feature_set,
                             const TrainingConfig& config, const EpochCallback& on_epoch,
                             const BatchCallback& on_batch) {
  auto logger = logging::get("train");
  config.validate();
  check_sample(tracks, config);
  const auto start = std::chrono::steady_clock::now();

  // 1. Split by event, balance the training rows, take the normalisation range
  //    from the training split only.
  const Split split = split_by_event(tracks, config.validation_fraction, config.test_fraction, config.seed);
  const std::vector<std::size_t> train_rows =
      balance_rows(tracks, split.train, config.class_balance, config.seed);
  if (train_rows.size() < config.batch_size) {
    throw ConfigError("the training split has " + std::to_string(train_rows.size()) +
                      " tracks, fewer than one batch of " + std::to_string(config.batch_size));
  }
  const auto train_genuine = static_cast<std::size_t>(std::count_if(
      train_rows.begin(), train_rows.end(), [&](std::size_t row) { return tracks.labels[row] != 0; }));
  if (train_genuine == 0 || train_genuine == train_rows.size()) {
    throw ConfigError("the training split has a single class; use more events");
  }
  FeatureRange range = feature_range(tracks, split.train);
  for (std::size_t column = 0; column < tracks.columns(); ++column) {
    if (!(range.max[column] > range.min[column])) {
      logger->warn("feature {} is constant ({}) in the training split; its range is widened to 1",
                   tracks.feature_names[column], range.min[column]);
      range.max[column] = range.min[column] + 1.0F;
    }
  }

  // 2. The network, seeded for a reproducible initialisation and dropout.
  torch::manual_seed(config.seed);
  nn::Architecture architecture = config.architecture;
  architecture.input_width = tracks.columns();
  nn::PurityNet net(architecture, config.dropout);
  {
    torch::NoGradGuard no_grad;
    net->feature_min.copy_(torch::tensor(range.min));
    net->feature_max.copy_(torch::tensor(range.max));
  }

  const auto rows = static_cast<std::int64_t>(tracks.rows());
  const auto columns = static_cast<std::int64_t>(tracks.columns());
  const torch::Tensor all_inputs =
      torch::from_blob(const_cast<float*>(tracks.features.data()), {rows, columns}, torch::kFloat);
  std::vector<float> label_values(tracks.labels.begin(), tracks.labels.end());
  const torch::Tensor all_targets = torch::tensor(label_values);

  const torch::Tensor train_index = index_tensor(train_rows);
  const torch::Tensor train_inputs = all_inputs.index_select(0, train_index);
  const torch::Tensor train_targets = all_targets.index_select(0, train_index);
  const torch::Tensor validation_index = index_tensor(split.validation);
  const torch::Tensor validation_inputs = all_inputs.index_select(0, validation_index);
  const torch::Tensor validation_targets = all_targets.index_select(0, validation_index);
  std::vector<std::uint8_t> validation_labels;
  for (const std::size_t row : split.validation) {
    validation_labels.push_back(tracks.labels[row]);
  }

  // Per-row weights for ClassBalance::kWeights: total / (2 * class count).
  torch::Tensor train_weights;
  if (config.class_balance == ClassBalance::kWeights) {
    const double total = static_cast<double>(train_rows.size());
    const double genuine_weight = total / (2.0 * static_cast<double>(train_genuine));
    const double fake_weight = total / (2.0 * static_cast<double>(train_rows.size() - train_genuine));
    train_weights = train_targets * genuine_weight + (1.0 - train_targets) * fake_weight;
  }
  if (config.displaced_origin_weight != 1.0) {
    std::vector<float> origin_weights(train_rows.size(), 1.0F);
    const auto min_radius = static_cast<float>(config.displaced_origin_min_radius / units::cm);
    const auto max_radius = static_cast<float>(config.displaced_origin_max_radius / units::cm);
    for (std::size_t i = 0; i < train_rows.size(); ++i) {
      const float radius = tracks.production_radius[train_rows[i]];
      if (tracks.labels[train_rows[i]] != 0 && radius >= min_radius && radius <= max_radius) {
        origin_weights[i] = static_cast<float>(config.displaced_origin_weight);
      }
    }
    const torch::Tensor factors = torch::tensor(origin_weights);
    train_weights = train_weights.defined() ? train_weights * factors : factors;
  }
  // The validation loss stays unweighted, comparable between configurations.
  torch::Tensor validation_weights;
  if (train_weights.defined()) {
    validation_weights = torch::ones_like(validation_targets);
  }

  std::unique_ptr<torch::optim::Optimizer> optimizer;
  if (config.optimizer == Optimizer::kAdamW) {
    optimizer = std::make_unique<torch::optim::AdamW>(
        net->parameters(), torch::optim::AdamWOptions(config.learning_rate).weight_decay(config.weight_decay));
  } else {
    optimizer = std::make_unique<torch::optim::Adam>(
        net->parameters(), torch::optim::AdamOptions(config.learning_rate).weight_decay(config.weight_decay));
  }

  EarlyStopping stopping(config.patience, config.min_delta,
                         config.monitor == Monitor::kValidationAuc ? EarlyStopping::Mode::kMaximize
                                                                   : EarlyStopping::Mode::kMinimize);
  std::vector<torch::Tensor> best_state;
  const auto save_state = [&]() {
    best_state.clear();
    for (const torch::Tensor& parameter : net->parameters()) {
      best_state.push_back(parameter.detach().clone());
    }
    for (const torch::Tensor& buffer : net->buffers()) {
      best_state.push_back(buffer.detach().clone());
    }
  };

  TrainingResult result;
  const auto train_count = static_cast<std::int64_t>(train_rows.size());
  const auto batch = static_cast<std::int64_t>(config.batch_size);
  // A last batch of one row would break BatchNorm: such a row waits for the next epoch.
  const std::int64_t batches = train_count / batch + ((train_count % batch) > 1 ? 1 : 0);

  // 3. Epochs: shuffle, step through batches, evaluate on the validation split.
  for (std::size_t epoch = 0; epoch < config.epochs; ++epoch) {
    const auto epoch_start = std::chrono::steady_clock::now();
    const double rate = learning_rate_at(config, epoch);
    for (auto& group : optimizer->param_groups()) {
      group.options().set_lr(rate);
    }

    net->train();
    const torch::Tensor order = torch::randperm(train_count, torch::kLong);
    double loss_sum = 0.0;
    std::int64_t loss_rows = 0;
    for (std::int64_t b = 0; b < batches; ++b) {
      const std::int64_t begin = b * batch;
      const std::int64_t end = std::min(train_count, begin + batch);
      const torch::Tensor rows_in_batch = order.slice(0, begin, end);
      const torch::Tensor inputs = train_inputs.index_select(0, rows_in_batch);
      const torch::Tensor targets = train_targets.index_select(0, rows_in_batch);
      const torch::Tensor weights =
          train_weights.defined() ? train_weights.index_select(0, rows_in_batch) : torch::Tensor();

      optimizer->zero_grad();
      const torch::Tensor logits = net->logits(inputs).reshape({-1});
      const torch::Tensor loss = compute_loss(config, logits, targets, weights);
      loss.backward();
      optimizer->step();

      loss_sum += loss.item<double>() * static_cast<double>(end - begin);
      loss_rows += end - begin;
      if (on_batch) {
        on_batch(static_cast<std::size_t>(b + 1), static_cast<std::size_t>(batches));
      }
    }

    const torch::Tensor validation_logits = evaluate_logits(net, validation_inputs);
    EpochRecord record;
    record.epoch = epoch;
    record.learning_rate = rate;
    record.train_loss = loss_sum / static_cast<double>(std::max<std::int64_t>(loss_rows, 1));
    {
      torch::NoGradGuard no_grad;
      record.validation_loss =
          compute_loss(config, validation_logits, validation_targets, validation_weights).item<double>();
    }
    const std::vector<float> validation_scores = to_vector(torch::sigmoid(validation_logits));
    record.validation_auc = roc::auc(validation_scores, validation_labels);
    record.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
    record.tracks_per_second = static_cast<double>(loss_rows) / std::max(record.seconds, 1e-9);

    const double monitored =
        config.monitor == Monitor::kValidationAuc ? record.validation_auc : record.validation_loss;
    const bool is_best = stopping.update(epoch, monitored);
    if (is_best) {
      save_state();
    }
    result.history.push_back(record);
    if (on_epoch) {
      on_epoch(record, is_best);
    }
    if (stopping.should_stop()) {
      result.stopped_early = epoch + 1 < config.epochs;
      break;
    }
  }

  // 4. Restore the best epoch and evaluate it on the test split.
  {
    torch::NoGradGuard no_grad;
    std::size_t index = 0;
    for (torch::Tensor& parameter : net->parameters()) {
      parameter.copy_(best_state[index++]);
    }
    for (torch::Tensor& buffer : net->buffers()) {
      buffer.copy_(best_state[index++]);
    }
  }
  result.best_epoch = stopping.best_epoch();
  result.model = nn::from_torch(net, tracks.feature_names, feature_set);

  const std::vector<std::size_t>& test_rows = split.test.empty() ? split.validation : split.test;
  const torch::Tensor test_inputs = all_inputs.index_select(0, index_tensor(test_rows));
  const std::vector<float> test_scores = to_vector(torch::sigmoid(evaluate_logits(net, test_inputs)));
  std::vector<std::uint8_t> test_labels;
  std::vector<std::uint8_t> test_cut;
  for (const std::size_t row : test_rows) {
    test_labels.push_back(tracks.labels[row]);
    if (!tracks.cut_high_purity.empty()) {
      test_cut.push_back(tracks.cut_high_purity[row]);
    }
  }
  result.test = evaluate_scores(test_scores, test_labels, config.target_recall, test_cut);

  result.train_tracks = train_rows.size();
  result.validation_tracks = split.validation.size();
  result.train_events = count_events(tracks, split.train);
  result.validation_events = count_events(tracks, split.validation);
  result.test_events = count_events(tracks, split.test);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  nlohmann::json metrics = result.test.to_json();
  metrics["test_auc"] = result.test.auc;
  metrics["test_fake_rate_at_recall_0p995"] =
      test_scores.empty()
          ? 0.0
          : roc::working_point_at_efficiency(test_scores, test_labels, 0.995).background_fraction_of_kept();
  result.model.provenance["metrics"] = metrics;
  result.model.provenance["training"] = {
      {"config", config.to_json()},
      {"best_epoch", result.best_epoch},
      {"epochs_run", result.history.size()},
      {"stopped_early", result.stopped_early},
      {"train_tracks", result.train_tracks},
      {"validation_tracks", result.validation_tracks},
      {"test_tracks", test_rows.size()},
      {"train_events", result.train_events},
      {"validation_events", result.validation_events},
      {"test_events", result.test_events},
      {"seconds", result.seconds}};
  return result;
}

}  // namespace trackpurity::train
