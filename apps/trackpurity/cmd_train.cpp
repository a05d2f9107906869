#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/progress.hpp"
#include "trackpurity/core/version.hpp"
#include "trackpurity/features/feature_set.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/nn/safetensors.hpp"

#ifdef TRACKPURITY_HAVE_TORCH
#include <torch/torch.h>

#include "trackpurity/nn/torch/torch_engine.hpp"
#include "trackpurity/train/track_loader.hpp"
#include "trackpurity/train/trainer.hpp"
#endif

namespace trackpurity::cli {

namespace {

struct TrainOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string feature_set = "hlt15";
  std::vector<std::string> feature_list;
  std::vector<std::size_t> dense_widths = {256, 128, 64, 32};
  std::size_t projection_width = 32;
  std::size_t residual_blocks = 3;
  std::string optimizer = "adamw";
  std::string schedule = "cosine";
  std::string loss = "focal";
  std::string class_balance = "none";
  std::string monitor = "auc";
  std::uint64_t max_events = 0;
  int threads = 0;
  std::string metrics_json;
};

#ifdef TRACKPURITY_HAVE_TORCH

template <typename Value>
Value choose(const std::string& option, const std::string& value,
             const std::vector<std::pair<std::string, Value>>& choices) {
  std::string names;
  for (const auto& [name, choice] : choices) {
    if (name == value) {
      return choice;
    }
    names += (names.empty() ? "" : ", ") + name;
  }
  throw ConfigError(fmt::format("{} must be one of {}, found '{}'", option, names, value));
}

int run_train(const TrainOptions& options, train::TrainingConfig config,
              const std::string& command_line) {
  const auto log = logging::get("train");

  // 1. Resolve the options into a training configuration.
  config.optimizer = choose<train::Optimizer>(
      "--optimizer", options.optimizer,
      {{"adam", train::Optimizer::kAdam}, {"adamw", train::Optimizer::kAdamW}});
  config.schedule = choose<train::LearningRateSchedule>(
      "--schedule", options.schedule,
      {{"constant", train::LearningRateSchedule::kConstant},
       {"cosine", train::LearningRateSchedule::kCosine},
       {"step", train::LearningRateSchedule::kStep}});
  config.loss = choose<train::LossFunction>(
      "--loss", options.loss,
      {{"focal", train::LossFunction::kFocal}, {"bce", train::LossFunction::kBinaryCrossEntropy}});
  config.class_balance = choose<train::ClassBalance>(
      "--class-balance", options.class_balance,
      {{"none", train::ClassBalance::kNone},
       {"weights", train::ClassBalance::kWeights},
       {"undersample", train::ClassBalance::kUndersample}});
  config.monitor = choose<train::Monitor>(
      "--monitor", options.monitor,
      {{"auc", train::Monitor::kValidationAuc}, {"loss", train::Monitor::kValidationLoss}});
  config.architecture.dense_widths = options.dense_widths;
  config.architecture.projection_width = options.projection_width;
  config.architecture.residual_blocks = options.residual_blocks;
  config.validate();
  const features::FeatureSet feature_set =
      options.feature_list.empty() ? features::FeatureSet::by_name(options.feature_set)
                                   : features::FeatureSet::from_names(options.feature_list);
  const int threads = options.threads > 0 ? options.threads
                                          : static_cast<int>(std::thread::hardware_concurrency());
  nn::set_libtorch_threads(std::max(threads, 1));

  // 2. Read the labelled tracks.
  log->info("reading tracks from {} file(s), features {} ({} inputs)", options.inputs.size(),
            feature_set.name(), feature_set.size());
  const train::LoadedSample sample =
      train::load_labelled_tracks(options.inputs, feature_set, options.max_events);
  const auto genuine = std::count(sample.tracks.labels.begin(), sample.tracks.labels.end(), 1);
  log->info("{} tracks ({} genuine, {} fake) from {} events", sample.tracks.rows(), genuine,
            sample.tracks.rows() - static_cast<std::size_t>(genuine),
            sample.tracks.event_ids.empty() ? 0 : sample.tracks.event_ids.back() + 1);

  // 3. Train with a progress line over the batches of each epoch.
  std::unique_ptr<ProgressLine> progress;
  std::size_t epoch_shown = 0;
  const auto on_batch = [&](std::size_t done, std::size_t total) {
    if (!progress) {
      progress = std::make_unique<ProgressLine>(fmt::format("train epoch {:>3}", epoch_shown + 1),
                                                total, "batches");
    }
    progress->advance(1);
    (void)done;
  };
  const auto on_epoch = [&](const train::EpochRecord& record, bool is_best) {
    if (progress) {
      progress->set_status(fmt::format("loss {:.5f}  val loss {:.5f}  val AUC {:.5f}",
                                       record.train_loss, record.validation_loss,
                                       record.validation_auc));
      progress->finish();
      progress.reset();
    }
    log->info("epoch {:>3}: lr {:.2e}  train loss {:.5f}  val loss {:.5f}  val AUC {:.5f}  "
              "{:.0f} tracks/s{}",
              record.epoch + 1, record.learning_rate, record.train_loss, record.validation_loss,
              record.validation_auc, record.tracks_per_second, is_best ? "  (best)" : "");
    epoch_shown = record.epoch + 1;
  };
  train::TrainingResult result =
      train::train_network(sample.tracks, feature_set.name(), config, on_epoch, on_batch);

  // 4. Provenance, then the model file.
  nlohmann::json inputs = nlohmann::json::array();
  nlohmann::json data_configuration;
  for (const train::InputFileSummary& file : sample.files) {
    inputs.push_back({{"path", file.path}, {"events", file.events}, {"tracks", file.tracks}});
  }
  if (!options.inputs.empty()) {
    const io::EventReader reader(options.inputs.front());
    data_configuration = nlohmann::json::parse(reader.attributes().configuration, nullptr, false);
    if (data_configuration.is_object()) {
      data_configuration.erase("geometry");  // the geometry document is large and in the event file
    }
  }
  result.model.provenance["command_line"] = command_line;
  result.model.provenance["program_version"] = std::string(program_version());
  result.model.provenance["seed"] = config.seed;
  result.model.provenance["inputs"] = inputs;
  result.model.provenance["data"] = data_configuration;
  result.model.provenance["skipped_non_finite_tracks"] = sample.skipped_non_finite;
  nn::save_model(result.model, options.output);

  const train::Evaluation& test = result.test;
  log->info("best epoch {} of {}{}; training took {:.1f} s", result.best_epoch + 1,
            result.history.size(), result.stopped_early ? " (stopped early)" : "", result.seconds);
  log->info("test: {} tracks, AUC {:.5f} +- {:.5f}; at recall {:.3f}: threshold {:.4f}, "
            "fake rate among kept {:.4f} (before {:.4f})",
            test.tracks, test.auc, test.auc_error, config.target_recall, test.threshold_at_recall,
            test.fake_rate_at_recall, test.fake_rate_before);
  if (test.has_cut_based) {
    log->info("cut-based high purity: recall {:.4f}, fake rate {:.4f}; network at that recall: "
              "fake rate {:.4f}",
              test.cut_recall, test.cut_fake_rate, test.network_fake_rate_at_cut_recall);
  }
  log->info("wrote {}", options.output);

  if (!options.metrics_json.empty()) {
    nlohmann::json metrics = result.model.provenance["metrics"];
    metrics["best_epoch"] = result.best_epoch + 1;
    metrics["epochs_run"] = result.history.size();
    metrics["training_seconds"] = result.seconds;
    metrics["train_tracks"] = result.train_tracks;
    write_json_file(options.metrics_json, metrics);
  }
  return 0;
}

#endif

}  // namespace

void register_train(CLI::App& app) {
#ifdef TRACKPURITY_HAVE_TORCH
  auto options = std::make_shared<TrainOptions>();
  auto config = std::make_shared<train::TrainingConfig>();
  CLI::App* command = add_command(
      app, "train", "Train the purity network on truth-labelled tracks (libtorch)",
      [options, config]() { return run_train(*options, *config, command_line()); });
  command->add_option("TRACKS", options->inputs, "Reconstructed track files with truth")
      ->required();
  command->add_option("-o,--output", options->output, "Model file to write (.safetensors)")
      ->required();
  command->add_option("--features", options->feature_set, "Feature set: hlt15 or full29")
      ->capture_default_str();
  command->add_option("--feature-list", options->feature_list,
                      "Comma-separated feature names (an ablation subset); overrides --features")
      ->delimiter(',');
  command->add_option("--widths", options->dense_widths, "Widths of the dense blocks")
      ->delimiter(',')
      ->capture_default_str();
  command->add_option("--projection-width", options->projection_width,
                      "Width of the projection and residual blocks")
      ->capture_default_str();
  command->add_option("--residual-blocks", options->residual_blocks, "Number of residual blocks")
      ->capture_default_str();
  command->add_option("--dropout", config->dropout, "Dropout probability in training")
      ->capture_default_str();
  command->add_option("--epochs", config->epochs, "Maximum number of epochs")->capture_default_str();
  command->add_option("--batch-size", config->batch_size, "Tracks per optimisation step")
      ->capture_default_str();
  command->add_option("--optimizer", options->optimizer, "adam or adamw")->capture_default_str();
  command->add_option("--learning-rate", config->learning_rate, "Initial learning rate")
      ->capture_default_str();
  command->add_option("--weight-decay", config->weight_decay, "Weight decay")
      ->capture_default_str();
  command->add_option("--schedule", options->schedule, "Learning-rate schedule: constant, cosine, step")
      ->capture_default_str();
  command->add_option("--step-epochs", config->step_epochs, "Step schedule: epochs per step")
      ->capture_default_str();
  command->add_option("--step-gamma", config->step_gamma, "Step schedule: factor per step")
      ->capture_default_str();
  command->add_option("--loss", options->loss, "focal or bce")->capture_default_str();
  command->add_option("--focal-alpha", config->focal_alpha, "Focal-loss weight of genuine tracks")
      ->capture_default_str();
  command->add_option("--focal-gamma", config->focal_gamma, "Focal-loss focusing exponent")
      ->capture_default_str();
  command->add_option("--class-balance", options->class_balance, "none, weights or undersample")
      ->capture_default_str();
  command
      ->add_option("--displaced-origin-weight", config->displaced_origin_weight,
                   "Loss weight of genuine tracks of particles produced 0.5-10 cm from the beam "
                   "line (truth), 1 for none")
      ->capture_default_str();
  command->add_option("--validation-fraction", config->validation_fraction,
                      "Fraction of events for validation")
      ->capture_default_str();
  command->add_option("--test-fraction", config->test_fraction, "Fraction of events for the test")
      ->capture_default_str();
  command->add_option("--monitor", options->monitor, "Early stopping on validation auc or loss")
      ->capture_default_str();
  command->add_option("--patience", config->patience, "Epochs without improvement before stopping")
      ->capture_default_str();
  command->add_option("--target-recall", config->target_recall,
                      "Selection efficiency of genuine tracks for the test metrics")
      ->capture_default_str();
  command->add_option("--seed", config->seed, "Seed of the split, initialisation and shuffling")
      ->capture_default_str();
  command->add_option("--max-events", options->max_events, "Read at most this many events (0: all)")
      ->capture_default_str();
  command->add_option("--threads", options->threads, "libtorch threads (0: libtorch default)")
      ->capture_default_str();
  command->add_option("--metrics-json", options->metrics_json, "Write the test metrics as JSON");
#else
  add_unimplemented_command(app, "train", "Train the purity network (needs a build with libtorch)");
#endif
}

}  // namespace trackpurity::cli
