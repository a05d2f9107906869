#pragma once

#include <cstddef>
#include <vector>

#include "trackpurity/nn/model.hpp"

namespace trackpurity::nn {

enum class Activation { kNone, kElu, kSigmoid };

// A Linear layer with the BatchNorm after it folded in, and its activation.
struct FoldedLayer {
  std::size_t in = 0;
  std::size_t out = 0;
  std::vector<float> weight;  // out x in, row-major
  std::vector<float> bias;    // out
  Activation activation = Activation::kElu;
  // The input of this layer is the input of a residual block, kept for the add.
  bool starts_residual = false;
  // The kept residual-block input is added before the activation.
  bool adds_residual = false;
};

// The network as an inference engine runs it: the input normalisation as a
// subtraction and a multiplication, then one FoldedLayer per Linear.
struct FoldedNetwork {
  // Normalised input: (x - input_min[i]) * input_scale[i], with
  // input_scale = 1 / (max - min + 1e-8).
  std::vector<float> input_min;
  std::vector<float> input_scale;
  std::vector<FoldedLayer> layers;

  std::size_t input_width() const { return input_min.size(); }
};

// Folds every BatchNorm into the Linear before it:
//   W' = W * gamma / sqrt(var + eps),  b' = (b - mean) * gamma / sqrt(var + eps) + beta,
// computed in double precision, then rounded once to float.
FoldedNetwork fold_batchnorm(const Model& model);

}  // namespace trackpurity::nn
