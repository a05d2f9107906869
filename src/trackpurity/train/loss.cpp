#include "trackpurity/train/loss.hpp"

namespace trackpurity::train {

torch::Tensor focal_loss(const torch::Tensor& logits, const torch::Tensor& targets, double alpha,
                         double gamma, const torch::Tensor& weights) {
  // log p and log(1 - p) from log-sigmoid, which stays finite for large |logit|.
  const torch::Tensor log_p = torch::nn::functional::logsigmoid(logits);
  const torch::Tensor log_not_p = torch::nn::functional::logsigmoid(-logits);
  const torch::Tensor p = torch::sigmoid(logits);
  const torch::Tensor positive = -alpha * torch::pow(1.0 - p, gamma) * log_p;
  const torch::Tensor negative = -(1.0 - alpha) * torch::pow(p, gamma) * log_not_p;
  torch::Tensor per_row = targets * positive + (1.0 - targets) * negative;
  if (weights.defined()) {
    per_row = per_row * weights;
  }
  return per_row.mean();
}

torch::Tensor binary_cross_entropy_loss(const torch::Tensor& logits, const torch::Tensor& targets,
                                   const torch::Tensor& weights) {
  torch::Tensor per_row = torch::nn::functional::binary_cross_entropy_with_logits(
      logits, targets, torch::nn::functional::BinaryCrossEntropyWithLogitsFuncOptions().reduction(torch::kNone));
  if (weights.defined()) {
    per_row = per_row * weights;
  }
  return per_row.mean();
}

}  // namespace trackpurity::train
