#include "trackpurity/nn/reference_engine.hpp"

#include <cmath>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace trackpurity::nn {

namespace {

std::vector<double> apply_linear(const Linear& linear, const std::vector<double>& x) {
  std::vector<double> y(linear.out);
  for (std::size_t o = 0; o < linear.out; ++o) {
    double sum = linear.bias[o];
    for (std::size_t i = 0; i < linear.in; ++i) {
      sum += static_cast<double>(linear.weight[o * linear.in + i]) * x[i];
    }
    y[o] = sum;
  }
  return y;
}

void apply_batchnorm(const BatchNorm& bn, std::vector<double>& x) {
  for (std::size_t o = 0; o < x.size(); ++o) {
    x[o] = (x[o] - bn.running_mean[o]) / std::sqrt(static_cast<double>(bn.running_var[o]) + bn.eps) *
               bn.gamma[o] +
           bn.beta[o];
  }
}

void apply_elu(std::vector<double>& x) {
  for (double& value : x) {
    value = value > 0.0 ? value : std::expm1(value);
  }
}

}  // namespace

ReferenceEngine::ReferenceEngine(const Model& model) : model_(model) {
  validate_model(model_, "<in-memory model>");
}

double ReferenceEngine::score_row(std::span<const double> inputs) const {
  const std::size_t width = input_width();
  if (inputs.size() != width) {
    throw std::invalid_argument(
        fmt::format("reference engine: {} inputs given, expected {}", inputs.size(), width));
  }

  std::vector<double> x(width);
  for (std::size_t i = 0; i < width; ++i) {
    const double low = model_.feature_min[i];
    const double high = model_.feature_max[i];
    x[i] = (inputs[i] - low) / (high - low + kNormalisationEpsilon);
  }

  // Dropout is the identity in evaluation mode, so it does not appear here.
  for (const DenseBlock& block : model_.dense) {
    x = apply_linear(block.linear, x);
    apply_batchnorm(block.bn, x);
    apply_elu(x);
  }
  x = apply_linear(model_.projection, x);
  apply_elu(x);
  for (const ResidualBlock& block : model_.residual) {
    std::vector<double> hidden = apply_linear(block.linear1, x);
    apply_batchnorm(block.bn1, hidden);
    apply_elu(hidden);
    hidden = apply_linear(block.linear2, hidden);
    apply_batchnorm(block.bn2, hidden);
    for (std::size_t o = 0; o < hidden.size(); ++o) {
      hidden[o] += x[o];
    }
    apply_elu(hidden);
    x = std::move(hidden);
  }
  const double logit = apply_linear(model_.output, x)[0];
  return 1.0 / (1.0 + std::exp(-logit));
}

void ReferenceEngine::score_double(std::span<const float* const> columns, std::size_t rows,
                                   std::span<double> out) const {
  const std::size_t width = input_width();
  if (columns.size() != width || out.size() < rows) {
    throw std::invalid_argument(fmt::format(
        "reference engine: {} columns and {} outputs given, expected {} columns and at least {} "
        "outputs",
        columns.size(), out.size(), width, rows));
  }
  std::vector<double> inputs(width);
  for (std::size_t row = 0; row < rows; ++row) {
    for (std::size_t i = 0; i < width; ++i) {
      inputs[i] = columns[i][row];
    }
    out[row] = score_row(inputs);
  }
}

void ReferenceEngine::score(std::span<const float* const> columns, std::size_t rows,
                            std::span<float> out) const {
  detail::check_score_arguments(name(), input_width(), columns, rows, out);
  std::vector<double> scores(rows);
  score_double(columns, rows, scores);
  for (std::size_t row = 0; row < rows; ++row) {
    out[row] = static_cast<float>(scores[row]);
  }
}

}  // namespace trackpurity::nn
