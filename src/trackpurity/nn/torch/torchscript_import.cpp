#include "trackpurity/nn/torch/torchscript_import.hpp"

#include <cmath>
#include <map>
#include <random>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/script.h>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/nn/cpu_engine.hpp"

namespace trackpurity::nn {

namespace {

// Probe rows for the self-check, column-major, with a label per row for messages.
struct Probe {
  std::vector<std::vector<float>> columns;
  std::vector<std::string> labels;  // one per row
};

Probe make_probe(const Model& model, const TorchScriptImportOptions& options) {
  const std::size_t width = model.architecture.input_width;
  const std::size_t random_rows = options.probe_rows;
  const std::size_t rows = random_rows + 2 * width;
  Probe probe;
  probe.columns.assign(width, std::vector<float>(rows));
  probe.labels.resize(rows);

  std::mt19937_64 engine(options.seed);
  for (std::size_t row = 0; row < random_rows; ++row) {
    const bool inside = row < random_rows / 2;
    probe.labels[row] = inside ? "inside the training range" : "outside the training range";
    for (std::size_t i = 0; i < width; ++i) {
      const double low = model.feature_min[i];
      const double range = static_cast<double>(model.feature_max[i]) - low;
      const double margin = inside ? 0.0 : range;
      std::uniform_real_distribution<double> uniform(low - margin, low + range + margin);
      probe.columns[i][row] = static_cast<float>(uniform(engine));
    }
  }
  // Edge rows: one feature at its min or max, the others at the middle of their range.
  for (std::size_t k = 0; k < 2 * width; ++k) {
    const std::size_t row = random_rows + k;
    const std::size_t feature = k / 2;
    for (std::size_t i = 0; i < width; ++i) {
      probe.columns[i][row] = 0.5F * (model.feature_min[i] + model.feature_max[i]);
    }
    const bool at_min = k % 2 == 0;
    probe.columns[feature][row] = at_min ? model.feature_min[feature] : model.feature_max[feature];
    probe.labels[row] = fmt::format("{} at its {}", model.feature_names[feature], at_min ? "min" : "max");
  }
  return probe;
}

// Runs the module's forward() on the probe rows and returns one score per row.
std::vector<float> run_torchscript(torch::jit::Module& module, const Probe& probe,
                                   const std::string& path) {
  const auto rows = static_cast<std::int64_t>(probe.labels.size());
  std::vector<torch::Tensor> columns;
  for (const std::vector<float>& column : probe.columns) {
    columns.push_back(torch::from_blob(const_cast<float*>(column.data()), {rows}, torch::kFloat32));
  }
  const torch::Tensor inputs = torch::stack(columns, 1);

  torch::Tensor scores;
  try {
    torch::NoGradGuard no_grad;
    scores = module.forward({inputs}).toTensor();
  } catch (const c10::Error& error) {
    throw FileError(path, "forward", fmt::format("failed on probe inputs [{}, {}]: {}", rows,
                                                 columns.size(), error.what_without_backtrace()));
  }
  if (scores.numel() != rows || scores.dim() > 2) {
    throw FileError(path, "forward",
                    fmt::format("returned shape {}, expected [{}, 1] or [{}]",
                                fmt::format("[{}]", fmt::join(scores.sizes(), ", ")), rows, rows));
  }
  const torch::Tensor flat = scores.reshape({-1}).to(torch::kFloat32).contiguous();
  return std::vector<float>(flat.data_ptr<float>(), flat.data_ptr<float>() + rows);
}

void check_against_cpu_engine(torch::jit::Module& module, const Model& model,
                              const TorchScriptImportOptions& options, const std::string& path) {
  const Probe probe = make_probe(model, options);
  const std::vector<float> expected = run_torchscript(module, probe, path);

  std::vector<const float*> columns;
  for (const std::vector<float>& column : probe.columns) columns.push_back(column.data());
  std::vector<float> scores(probe.labels.size());
  const CpuEngine engine(model);
  engine.score(columns, scores.size(), scores);

  double largest = 0.0;
  std::size_t worst = 0;
  for (std::size_t row = 0; row < scores.size(); ++row) {
    const double difference =
        std::fabs(static_cast<double>(scores[row]) - static_cast<double>(expected[row]));
    if (!(difference <= largest)) {
      largest = std::isnan(difference) ? INFINITY : difference;
      worst = row;
    }
  }
  if (!(largest < options.tolerance)) {
    throw FileError(
        path, "forward",
        fmt::format("libtorch and the native cpu engine differ by {:.3g} on probe row {} ({}): "
                    "libtorch {}, cpu engine {}; expected below {:g}. The module's forward() "
                    "must compute the residual MLP of its parameters from raw features",
                    largest, worst, probe.labels[worst], expected[worst], scores[worst],
                    options.tolerance));
  }
  logging::get("nn")->debug("import {}: self-check on {} probe rows, largest difference {:.3g}",
                            path, scores.size(), largest);
}

}  // namespace

Model import_torchscript(const std::string& path, std::vector<std::string> feature_names,
                         const TorchScriptImportOptions& options) {
  torch::jit::Module module;
  try {
    module = torch::jit::load(path, torch::kCPU);
  } catch (const c10::Error& error) {
    throw FileError(path, "", fmt::format("cannot load as TorchScript: {}",
                                          error.what_without_backtrace()));
  }
  module.eval();

  // 1. Parameters and buffers as float32 tensors, by name.
  std::map<std::string, torch::Tensor> owned;
  auto collect = [&](const std::string& name, const torch::Tensor& tensor) {
    if (name.ends_with("num_batches_tracked")) {
      return;
    }
    if (tensor.scalar_type() != torch::kFloat32) {
      throw FileError(path, name,
                      fmt::format("dtype {} is not supported, expected float32",
                                  c10::toString(tensor.scalar_type())));
    }
    owned[name] = tensor.detach().to(torch::kCPU).contiguous();
  };
  for (const auto& item : module.named_parameters(/*recurse=*/true)) collect(item.name, item.value);
  for (const auto& item : module.named_buffers(/*recurse=*/true)) collect(item.name, item.value);

  std::map<std::string, TensorData> tensors;
  for (const auto& [name, tensor] : owned) {
    std::vector<std::size_t> shape;
    for (std::int64_t extent : tensor.sizes()) shape.push_back(static_cast<std::size_t>(extent));
    tensors[name] = TensorData{
        shape, std::span<const float>(tensor.data_ptr<float>(), static_cast<std::size_t>(tensor.numel()))};
  }

  // 2. The model, checked like a model file.
  nlohmann::json metadata = {{"feature_names", feature_names}, {"feature_set", options.feature_set}};
  Model model = assemble_model(tensors, metadata, path);
  model.provenance = {{"imported_from", path}, {"format", "torchscript"}};

  // 3. The self-check against the native engine.
  check_against_cpu_engine(module, model, options, path);
  logging::get("nn")->info("imported TorchScript model {}: {}, {} parameters", path,
                           describe(model.architecture), model.parameter_count());
  return model;
}

}  // namespace trackpurity::nn
