#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/sim/material.hpp"

namespace trackpurity::sim {
namespace {

using namespace unit_literals;

TEST(Material, HighlandValueForOneGeVMuon) {
  // 13.6 MeV / (beta p) * sqrt(0.01) * (1 + 0.038 ln(0.01 / beta^2)) for beta = 0.99445.
  EXPECT_NEAR(highland_theta0(1.0_GeV, constants::kMuonMass, 1, 0.01), 1.12883e-3, 1e-8);
  EXPECT_EQ(highland_theta0(1.0_GeV, constants::kMuonMass, 0, 0.01), 0.0);
  EXPECT_EQ(highland_theta0(1.0_GeV, constants::kMuonMass, 1, 0.0), 0.0);
}

TEST(Material, ScatteringWidthMatchesHighland) {
  // 1e5 samples: the standard deviation of a projected angle has a relative
  // statistical error of 1 / sqrt(2e5) = 0.22 %; the tolerance is 1 %.
  const double theta0 = highland_theta0(0.8_GeV, constants::kPionMass, 1, 0.02);
  const edm::Vector3 direction{0.48, 0.64, 0.6};
  const double transverse = direction.perp();
  const edm::Vector3 e1{-direction.y / transverse, direction.x / transverse, 0.0};
  const edm::Vector3 e2{direction.y * e1.z - direction.z * e1.y,
                        direction.z * e1.x - direction.x * e1.z,
                        direction.x * e1.y - direction.y * e1.x};
  Rng rng(12345);
  constexpr int kSamples = 100000;
  double sum_1 = 0.0;
  double sum_11 = 0.0;
  double sum_22 = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    const edm::Vector3 turned = scatter_direction(direction, theta0, rng);
    const double along = turned.x * direction.x + turned.y * direction.y + turned.z * direction.z;
    const double angle_1 = std::atan2(turned.x * e1.x + turned.y * e1.y + turned.z * e1.z, along);
    const double angle_2 = std::atan2(turned.x * e2.x + turned.y * e2.y + turned.z * e2.z, along);
    sum_1 += angle_1;
    sum_11 += angle_1 * angle_1;
    sum_22 += angle_2 * angle_2;
    ASSERT_NEAR(turned.norm(), 1.0, 1e-12);
  }
  EXPECT_NEAR(std::sqrt(sum_11 / kSamples) / theta0, 1.0, 0.01);
  EXPECT_NEAR(std::sqrt(sum_22 / kSamples) / theta0, 1.0, 0.01);
  EXPECT_NEAR(sum_1 / kSamples, 0.0, 5.0 * theta0 / std::sqrt(kSamples));
}

TEST(Material, BetheMinimumMatchesPdgSilicon) {
  // PDG: minimum ionisation in silicon 1.664 MeV cm^2/g near beta gamma = 3.5; 2 % tolerance
  // for the simplified density effect.
  double minimum = 1.0;
  for (double beta_gamma = 1.0; beta_gamma < 20.0; beta_gamma += 0.05) {
    minimum = std::min(minimum, bethe_mean_loss(beta_gamma * constants::kMuonMass,
                                                constants::kMuonMass, 1));
  }
  EXPECT_NEAR(minimum / 1.664e-3, 1.0, 0.02);
  // Slow protons lose more (1/beta^2 rise).
  EXPECT_GT(bethe_mean_loss(0.3_GeV, constants::kProtonMass, 1), 3.0 * minimum);
}

TEST(Material, ElectronLosesBremsstrahlungFraction) {
  const double energy = 10.0_GeV;
  const double loss = mean_energy_loss(energy, energy, constants::kElectronMass, -1, 0.05, true);
  // Bremsstrahlung plus minimum ionisation in 0.05 X0 = 0.4685 cm of silicon.
  const double ionisation = 1.664e-3 * 0.05 * 9.370 * 2.329;
  EXPECT_NEAR(loss, energy * (1.0 - std::exp(-0.05)) + ionisation, 1e-9);
}

TEST(Material, ConversionProbabilityAndSharing) {
  EXPECT_NEAR(conversion_probability(0.01), 1.0 - std::exp(-7.0 / 9.0 * 0.01), 1e-15);
  EXPECT_EQ(conversion_probability(0.0), 0.0);
  // The sharing shape 1 - 4/3 y (1 - y) is symmetric about 1/2 and flatter than uniform
  // in the middle. Tolerances are about 4 standard errors of 1e5 samples.
  Rng rng(7);
  double sum = 0.0;
  double central = 0.0;
  constexpr int kSamples = 100000;
  for (int i = 0; i < kSamples; ++i) {
    const double y = sample_conversion_fraction(rng);
    ASSERT_GE(y, 0.0);
    ASSERT_LT(y, 1.0);
    sum += y;
    central += (y > 0.25 && y < 0.75) ? 1.0 : 0.0;
  }
  EXPECT_NEAR(sum / kSamples, 0.5, 0.005);
  // Fraction in (1/4, 3/4): integral of the shape there over its total (7/9):
  // (1/2 - 4/3 * 11/96) / (7/9) = 0.44643.
  EXPECT_NEAR(central / kSamples, 0.44643, 0.006);
}

}  // namespace
}  // namespace trackpurity::sim
