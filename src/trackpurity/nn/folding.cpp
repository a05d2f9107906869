#include "trackpurity/nn/folding.hpp"

#include <cmath>

namespace trackpurity::nn {

namespace {

FoldedLayer fold(const Linear& linear, const BatchNorm* bn, Activation activation) {
  FoldedLayer layer;
  layer.in = linear.in;
  layer.out = linear.out;
  layer.activation = activation;
  layer.weight.resize(linear.weight.size());
  layer.bias.resize(linear.out);
  for (std::size_t o = 0; o < linear.out; ++o) {
    double scale = 1.0;
    double shift = 0.0;
    if (bn != nullptr) {
      scale = static_cast<double>(bn->gamma[o]) /
              std::sqrt(static_cast<double>(bn->running_var[o]) + bn->eps);
      shift = static_cast<double>(bn->beta[o]) - static_cast<double>(bn->running_mean[o]) * scale;
    }
    for (std::size_t i = 0; i < linear.in; ++i) {
      const std::size_t index = o * linear.in + i;
      layer.weight[index] = static_cast<float>(static_cast<double>(linear.weight[index]) * scale);
    }
    layer.bias[o] = static_cast<float>(static_cast<double>(linear.bias[o]) * scale + shift);
  }
  return layer;
}

}  // namespace

FoldedNetwork fold_batchnorm(const Model& model) {
  FoldedNetwork network;
  const std::size_t inputs = model.architecture.input_width;
  network.input_min = model.feature_min;
  network.input_scale.resize(inputs);
  for (std::size_t i = 0; i < inputs; ++i) {
    const double range = static_cast<double>(model.feature_max[i]) -
                         static_cast<double>(model.feature_min[i]) + kNormalisationEpsilon;
    network.input_scale[i] = static_cast<float>(1.0 / range);
  }

  for (const DenseBlock& block : model.dense) {
    network.layers.push_back(fold(block.linear, &block.bn, Activation::kElu));
  }
  network.layers.push_back(fold(model.projection, nullptr, Activation::kElu));
  for (const ResidualBlock& block : model.residual) {
    FoldedLayer first = fold(block.linear1, &block.bn1, Activation::kElu);
    first.starts_residual = true;
    network.layers.push_back(std::move(first));
    FoldedLayer second = fold(block.linear2, &block.bn2, Activation::kElu);
    second.adds_residual = true;
    network.layers.push_back(std::move(second));
  }
  network.layers.push_back(fold(model.output, nullptr, Activation::kSigmoid));
  return network;
}

}  // namespace trackpurity::nn
