#include <gtest/gtest.h>

#include "trackpurity/core/units.hpp"

namespace trackpurity {
namespace {

using namespace unit_literals;

TEST(Units, LengthLiteralsScaleToCentimetres) {
  EXPECT_DOUBLE_EQ(1_cm, 1.0);
  EXPECT_DOUBLE_EQ(10_mm, 1.0);
  EXPECT_DOUBLE_EQ(25_um, 25e-4);
  EXPECT_DOUBLE_EQ(1.5_m, 150.0);
}

TEST(Units, MomentumLiteralsScaleToGeV) {
  EXPECT_DOUBLE_EQ(900_MeV, 0.9);
  EXPECT_DOUBLE_EQ(2_GeV, 2.0);
}

TEST(Units, CurvatureConstantGivesKnownRadius) {
  // A 1 GeV track in 3.8 T bends with R = 1 / (0.0029979 * 3.8) cm = 87.8 cm.
  const double radius = 1.0 / (constants::kPtPerTeslaCm * 3.8);
  EXPECT_NEAR(radius, 87.780, 0.001);
}

}  // namespace
}  // namespace trackpurity
