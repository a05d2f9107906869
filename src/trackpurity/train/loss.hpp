#pragma once

#include <torch/torch.h>

namespace trackpurity::train {

// Focal loss of Lin et al., arXiv 1708.02002, on logits:
// -alpha (1-p)^gamma log p for genuine tracks, -(1-alpha) p^gamma log(1-p) for
// fakes, with p = sigmoid(logit). gamma = 0 and alpha = 0.5 give half the
// binary cross-entropy. `weights` (optional, per row) multiply each term.
// Returns the mean over rows.
torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& targets, double alpha,
                         double gamma, const torch::Tensor& weights = {});

// Binary cross-entropy on logits, mean over rows, with optional per-row weights.
torch::Tensor binary_cross_entropy_loss(const torch::Tensor& logits, const torch::Tensor& targets,
                                   const torch::Tensor& weights = {});

}  // namespace trackpurity::train
