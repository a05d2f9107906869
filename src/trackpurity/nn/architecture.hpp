#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace trackpurity::nn {

// Sizes of a network of the residual MLP family:
//   input min-max normalisation,
//   dense blocks Linear -> BatchNorm -> ELU -> Dropout,
//   projection Linear -> ELU,
//   residual blocks Linear -> BatchNorm -> ELU -> Dropout -> Linear -> BatchNorm,
//     plus the block input, then ELU,
//   output Linear -> 1 and sigmoid.
// The defaults are the reference configuration (56,097 parameters for 15 inputs).
struct Architecture {
  // Number of input features.
  std::size_t input_width = 15;
  // Output widths of the dense blocks, in order; at least one.
  std::vector<std::size_t> dense_widths = {256, 128, 64, 32};
  // Width of the projection layer and of every residual block.
  std::size_t projection_width = 32;
  // Number of residual blocks; zero is allowed.
  std::size_t residual_blocks = 3;
  // BatchNorm epsilon added to the running variance (PyTorch's default).
  double batchnorm_eps = 1e-5;

  // Throws ConfigError naming the member that is out of range.
  void validate() const;

  // Trainable parameters: Linear weights and biases, BatchNorm gamma and beta.
  std::size_t parameter_count() const;

  // Multiply-adds per input row in the Linear layers (BatchNorm folded, so it adds none).
  std::size_t multiply_adds_per_row() const;

  // Largest layer width, used to size activation buffers.
  std::size_t max_width() const;

  nlohmann::json to_json() const;
  // Reads the members written by to_json(); throws ConfigError on a missing
  // or mistyped member, naming it.
  static Architecture from_json(const nlohmann::json& document);

  friend bool operator==(const Architecture&, const Architecture&) = default;
};

// Returns a readable one-line description, e.g. "15 -> [256, 128, 64, 32] -> 32 x 3 residual -> 1".
std::string describe(const Architecture& architecture);

}  // namespace trackpurity::nn
