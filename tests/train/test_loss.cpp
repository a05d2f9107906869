#include <gtest/gtest.h>

#include <cmath>

#include "trackpurity/train/loss.hpp"

namespace trackpurity::train {
namespace {

TEST(FocalLoss, MatchesHandComputedValue) {
  // logit 0 gives p = 0.5. Genuine: -0.25 * 0.5^2 * ln 0.5; fake: -0.75 * 0.5^2 * ln 0.5.
  const torch::Tensor logits = torch::zeros({2});
  const torch::Tensor targets = torch::tensor({1.0F, 0.0F});
  const double expected = 0.5 * (0.25 + 0.75) * 0.25 * std::log(2.0);
  EXPECT_NEAR(focal_loss(logits, targets, 0.25, 2.0).item<double>(), expected, 1e-6);
}

TEST(FocalLoss, GammaZeroIsWeightedCrossEntropy) {
  const torch::Tensor logits = torch::tensor({2.0F, -1.0F, 0.3F});
  const torch::Tensor targets = torch::tensor({1.0F, 0.0F, 1.0F});
  const double bce = binary_cross_entropy_loss(logits, targets).item<double>();
  EXPECT_NEAR(focal_loss(logits, targets, 0.5, 0.0).item<double>(), 0.5 * bce, 1e-6);
}

TEST(FocalLoss, StaysFiniteForLargeLogits) {
  const torch::Tensor logits = torch::tensor({80.0F, -80.0F});
  const torch::Tensor targets = torch::tensor({0.0F, 1.0F});
  const double loss = focal_loss(logits, targets, 0.25, 2.0).item<double>();
  EXPECT_TRUE(std::isfinite(loss));
  EXPECT_GT(loss, 10.0);
}

TEST(BinaryCrossEntropy, WeightsScaleRows) {
  const torch::Tensor logits = torch::tensor({0.0F, 0.0F});
  const torch::Tensor targets = torch::tensor({1.0F, 0.0F});
  const torch::Tensor weights = torch::tensor({2.0F, 0.0F});
  EXPECT_NEAR(binary_cross_entropy_loss(logits, targets, weights).item<double>(), std::log(2.0), 1e-6);
}

}  // namespace
}  // namespace trackpurity::train
