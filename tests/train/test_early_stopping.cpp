#include <gtest/gtest.h>

#include "trackpurity/train/early_stopping.hpp"

namespace trackpurity::train {
namespace {

TEST(EarlyStopping, StopsAfterPatienceWithoutImprovement) {
  EarlyStopping stopping(2, 0.0, EarlyStopping::Mode::kMinimize);
  EXPECT_TRUE(stopping.update(0, 1.0));
  EXPECT_TRUE(stopping.update(1, 0.8));
  EXPECT_FALSE(stopping.update(2, 0.9));
  EXPECT_FALSE(stopping.should_stop());
  EXPECT_FALSE(stopping.update(3, 0.85));
  EXPECT_TRUE(stopping.should_stop());
  EXPECT_EQ(stopping.best_epoch(), 1U);
  EXPECT_DOUBLE_EQ(stopping.best(), 0.8);
}

TEST(EarlyStopping, ImprovementResetsCounter) {
  EarlyStopping stopping(2, 0.0, EarlyStopping::Mode::kMaximize);
  stopping.update(0, 0.9);
  stopping.update(1, 0.89);
  EXPECT_TRUE(stopping.update(2, 0.95));
  stopping.update(3, 0.94);
  EXPECT_FALSE(stopping.should_stop());
  EXPECT_EQ(stopping.best_epoch(), 2U);
}

TEST(EarlyStopping, ChangeBelowMinDeltaIsNoImprovement) {
  EarlyStopping stopping(1, 0.01, EarlyStopping::Mode::kMinimize);
  stopping.update(0, 1.0);
  EXPECT_FALSE(stopping.update(1, 0.995));
  EXPECT_TRUE(stopping.should_stop());
}

}  // namespace
}  // namespace trackpurity::train
