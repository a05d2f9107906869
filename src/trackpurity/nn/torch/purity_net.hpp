#pragma once

// The residual MLP family as a libtorch module. Its parameter and buffer
// names are the tensor names of the model file (dense.0.linear.weight, ...),
// so a trained module converts to a Model and back without a name table.

#include <string>
#include <vector>

#include <torch/torch.h>

#include "trackpurity/nn/architecture.hpp"
#include "trackpurity/nn/model.hpp"

namespace trackpurity::nn {

// Linear -> BatchNorm -> ELU -> Dropout.
class TorchDenseBlockImpl : public torch::nn::Module {
 public:
  TorchDenseBlockImpl(std::int64_t in, std::int64_t out, double eps, double dropout);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear linear{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
  torch::nn::Dropout dropout{nullptr};
};
TORCH_MODULE(TorchDenseBlock);

// Linear -> BatchNorm -> ELU -> Dropout -> Linear -> BatchNorm, plus the block input, ELU.
class TorchResidualBlockImpl : public torch::nn::Module {
 public:
  TorchResidualBlockImpl(std::int64_t width, double eps, double dropout);
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear linear1{nullptr};
  torch::nn::BatchNorm1d bn1{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear linear2{nullptr};
  torch::nn::BatchNorm1d bn2{nullptr};
};
TORCH_MODULE(TorchResidualBlock);

// The whole network. forward() takes raw features [rows, input_width] and
// returns scores [rows, 1]; logits() skips the final sigmoid (for training
// with BCEWithLogits). The normalisation range is in the buffers feature_min
// and feature_max.
class PurityNetImpl : public torch::nn::Module {
 public:
  // `dropout` is the dropout probability used in training mode.
  explicit PurityNetImpl(const Architecture& architecture, double dropout = 0.0);

  torch::Tensor logits(const torch::Tensor& x);
  torch::Tensor forward(const torch::Tensor& x);

  const Architecture& architecture() const { return architecture_; }

  torch::Tensor feature_min;
  torch::Tensor feature_max;
  torch::nn::ModuleList dense{nullptr};
  torch::nn::Linear projection{nullptr};
  torch::nn::ModuleList residual{nullptr};
  torch::nn::Linear output{nullptr};

 private:
  Architecture architecture_;
};
TORCH_MODULE(PurityNet);

// Makes a module with the model's architecture and copies every tensor into it.
PurityNet to_torch(const Model& model, double dropout = 0.0);

// Copies the module's tensors into a Model with the given feature names and
// metadata members (working points and provenance stay empty). Throws
// FileError (source "<torch module>") when validate_model rejects the result.
Model from_torch(PurityNet& net, std::vector<std::string> feature_names,
                 const std::string& feature_set = "");

}  // namespace trackpurity::nn
