#include "trackpurity/nn/torch/purity_net.hpp"

#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::nn {

namespace {

torch::nn::BatchNorm1d make_batchnorm(std::int64_t width, double eps) {
  return torch::nn::BatchNorm1d(torch::nn::BatchNorm1dOptions(width).eps(eps));
}

// Parameters and buffers of the module by name, without BatchNorm's
// num_batches_tracked counters, which the model file does not store.
std::map<std::string, torch::Tensor> model_tensors(torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    tensors[item.key()] = item.value();
  }
  for (const auto& item : module.named_buffers(/*recurse=*/true)) {
    if (!item.key().ends_with("num_batches_tracked")) {
      tensors[item.key()] = item.value();
    }
  }
  return tensors;
}

}  // namespace

TorchDenseBlockImpl::TorchDenseBlockImpl(std::int64_t in, std::int64_t out, double eps,
                                         double dropout_probability) {
  linear = register_module("linear", torch::nn::Linear(in, out));
  bn = register_module("bn", make_batchnorm(out, eps));
  dropout = register_module("dropout", torch::nn::Dropout(dropout_probability));
}

torch::Tensor TorchDenseBlockImpl::forward(const torch::Tensor& x) {
  return dropout->forward(torch::elu(bn->forward(linear->forward(x))));
}

TorchResidualBlockImpl::TorchResidualBlockImpl(std::int64_t width, double eps,
                                               double dropout_probability) {
  linear1 = register_module("linear1", torch::nn::Linear(width, width));
  bn1 = register_module("bn1", make_batchnorm(width, eps));
  dropout = register_module("dropout", torch::nn::Dropout(dropout_probability));
  linear2 = register_module("linear2", torch::nn::Linear(width, width));
  bn2 = register_module("bn2", make_batchnorm(width, eps));
}

torch::Tensor TorchResidualBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor hidden = dropout->forward(torch::elu(bn1->forward(linear1->forward(x))));
  hidden = bn2->forward(linear2->forward(hidden));
  return torch::elu(hidden + x);
}

PurityNetImpl::PurityNetImpl(const Architecture& architecture, double dropout_probability)
    : architecture_(architecture) {
  architecture_.validate();
  const auto inputs = static_cast<std::int64_t>(architecture_.input_width);
  feature_min = register_buffer("feature_min", torch::zeros({inputs}));
  feature_max = register_buffer("feature_max", torch::ones({inputs}));

  dense = register_module("dense", torch::nn::ModuleList());
  std::int64_t width = inputs;
  for (std::size_t out : architecture_.dense_widths) {
    const auto out_width = static_cast<std::int64_t>(out);
    dense->push_back(
        TorchDenseBlock(width, out_width, architecture_.batchnorm_eps, dropout_probability));
    width = out_width;
  }
  const auto projection_width = static_cast<std::int64_t>(architecture_.projection_width);
  projection = register_module("projection", torch::nn::Linear(width, projection_width));
  residual = register_module("residual", torch::nn::ModuleList());
  for (std::size_t i = 0; i < architecture_.residual_blocks; ++i) {
    residual->push_back(
        TorchResidualBlock(projection_width, architecture_.batchnorm_eps, dropout_probability));
  }
  output = register_module("output", torch::nn::Linear(projection_width, 1));
}

torch::Tensor PurityNetImpl::logits(const torch::Tensor& x) {
  torch::Tensor hidden = (x - feature_min) / (feature_max - feature_min + kNormalisationEpsilon);
  for (const auto& block : *dense) {
    hidden = block->as<TorchDenseBlockImpl>()->forward(hidden);
  }
  hidden = torch::elu(projection->forward(hidden));
  for (const auto& block : *residual) {
    hidden = block->as<TorchResidualBlockImpl>()->forward(hidden);
  }
  return output->forward(hidden);
}

torch::Tensor PurityNetImpl::forward(const torch::Tensor& x) { return torch::sigmoid(logits(x)); }

PurityNet to_torch(const Model& model, double dropout) {
  validate_model(model, "<in-memory model>");
  PurityNet net(model.architecture, dropout);
  std::map<std::string, torch::Tensor> tensors = model_tensors(*net);

  torch::NoGradGuard no_grad;
  for (const ConstNamedTensor& tensor : named_tensors(model)) {
    auto found = tensors.find(tensor.name);
    if (found == tensors.end()) {
      throw std::logic_error(fmt::format("torch module has no tensor {}", tensor.name));
    }
    const torch::Tensor source =
        torch::from_blob(const_cast<float*>(tensor.values->data()),
                         {static_cast<std::int64_t>(tensor.values->size())}, torch::kFloat32);
    found->second.view({-1}).copy_(source);
  }
  net->eval();
  return net;
}

Model from_torch(PurityNet& net, std::vector<std::string> feature_names,
                 const std::string& feature_set) {
  const std::string source = "<torch module>";
  if (feature_names.size() != net->architecture().input_width) {
    throw FileError(source, "feature_names",
                    fmt::format("{} names, expected {} (the input width)", feature_names.size(),
                                net->architecture().input_width));
  }
  Model model = make_model(net->architecture(), std::move(feature_names));
  model.feature_set = feature_set;
  std::map<std::string, torch::Tensor> tensors = model_tensors(*net);

  for (const NamedTensor& tensor : mutable_named_tensors(model)) {
    auto found = tensors.find(tensor.name);
    if (found == tensors.end()) {
      throw FileError(source, tensor.name, "missing tensor in the torch module");
    }
    const torch::Tensor values = found->second.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    if (static_cast<std::size_t>(values.numel()) != tensor.values->size()) {
      throw FileError(source, tensor.name,
                      fmt::format("{} values, expected {}", values.numel(), tensor.values->size()));
    }
    std::copy_n(values.data_ptr<float>(), tensor.values->size(), tensor.values->begin());
  }
  validate_model(model, source);
  return model;
}

}  // namespace trackpurity::nn
