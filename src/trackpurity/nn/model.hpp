#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trackpurity/nn/architecture.hpp"

namespace trackpurity::nn {

// Version of the model file layout (tensor names and metadata document).
inline constexpr int kModelFormatVersion = 1;

// Added to (max - min) in the input normalisation (x - min) / (max - min + eps),
// as the trainer does.
inline constexpr double kNormalisationEpsilon = 1e-8;

// Weights of a fully connected layer y = W x + b, laid out as PyTorch stores them.
struct Linear {
  std::size_t in = 0;
  std::size_t out = 0;
  std::vector<float> weight;  // out x in, row-major
  std::vector<float> bias;    // out
};

// BatchNorm in evaluation mode: y = gamma (x - running_mean) / sqrt(running_var + eps) + beta.
struct BatchNorm {
  std::vector<float> gamma;
  std::vector<float> beta;
  std::vector<float> running_mean;
  std::vector<float> running_var;
  double eps = 1e-5;
};

struct DenseBlock {
  Linear linear;
  BatchNorm bn;
};

struct ResidualBlock {
  Linear linear1;
  BatchNorm bn1;
  Linear linear2;
  BatchNorm bn2;
};

// A trained (or freshly made) network of the residual MLP family with its
// inputs and metadata. The typed members are the source of truth; metadata()
// composes the document stored in model files from them.
struct Model {
  Architecture architecture;
  // Name of the feature set ("hlt15", ...), informational.
  std::string feature_set;
  // Input features in the order the network reads them.
  std::vector<std::string> feature_names;
  // Normalisation range per input, from the training sample.
  std::vector<float> feature_min;
  std::vector<float> feature_max;
  std::vector<DenseBlock> dense;
  Linear projection;
  std::vector<ResidualBlock> residual;
  Linear output;
  // Working points, owned by the selection module and kept here unchanged.
  nlohmann::json working_points = nlohmann::json::object();
  // Training provenance: command line, data description, seed, metrics.
  nlohmann::json provenance = nlohmann::json::object();

  // Composes the metadata document: format version, feature set and names,
  // architecture, normalisation, working points and provenance.
  nlohmann::json metadata() const;

  std::size_t parameter_count() const { return architecture.parameter_count(); }
};

// A named tensor of a model, with the shape the architecture expects. The
// names follow the PyTorch module layout (dense.0.linear.weight, ...).
struct NamedTensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<float>* values = nullptr;
};

struct ConstNamedTensor {
  std::string name;
  std::vector<std::size_t> shape;
  const std::vector<float>* values = nullptr;
};

// Lists every tensor of the model in file order. The model's vectors must
// already have the architecture's sizes (make_model does that).
std::vector<ConstNamedTensor> named_tensors(const Model& model);
// Same list, with pointers through which the values can be filled in.
std::vector<NamedTensor> mutable_named_tensors(Model& model);

// Makes a model of the architecture with zero weights, identity BatchNorm
// (gamma 1, beta 0, mean 0, variance 1) and the normalisation range [0, 1].
// Throws ConfigError when the architecture is invalid or the number of
// feature names differs from its input width.
Model make_model(const Architecture& architecture, std::vector<std::string> feature_names);

// Makes a model with random weights (PyTorch's default Linear initialisation
// range), plausible BatchNorm statistics and normalisation ranges, from a seed.
// The same seed gives the same model. For benchmarks and tests.
Model make_random_model(const Architecture& architecture, std::vector<std::string> feature_names,
                        std::uint64_t seed);

// Checks sizes, finiteness of every weight, non-negative running variances and
// non-degenerate normalisation ranges (max > min). Throws FileError(source,
// field, problem) naming the tensor, the index and the expected value.
void validate_model(const Model& model, const std::string& source);

// A tensor handed to assemble_model: its shape and values, row-major.
struct TensorData {
  std::vector<std::size_t> shape;
  std::span<const float> values;
};

struct AssembleOptions {
  // Tensors that are not part of the model and are skipped instead of
  // rejected, e.g. BatchNorm's num_batches_tracked in a TorchScript module.
  std::function<bool(const std::string&)> ignore_tensor;
};

// Builds a model from named tensors and a metadata document. The architecture
// is inferred from the tensor shapes (checked layer to layer) and must agree
// with metadata["architecture"] when the document has one. feature_names is
// required in the metadata. Runs validate_model. Every failure throws
// FileError(source, tensor or field, problem).
Model assemble_model(const std::map<std::string, TensorData>& tensors,
                     const nlohmann::json& metadata, const std::string& source,
                     const AssembleOptions& options = {});

}  // namespace trackpurity::nn
