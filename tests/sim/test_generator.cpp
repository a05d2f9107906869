#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <vector>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/sim/generator.hpp"

namespace trackpurity::sim {
namespace {

using namespace unit_literals;

// Mean of the Tsallis pT density by the midpoint rule on a fine uniform grid
// up to 200 GeV, independent of the sampler's quadratic table.
double integrated_mean_pt(double mass, double n, double temperature) {
  constexpr int kSteps = 400000;
  constexpr double kMaxPt = 200.0;
  double norm = 0.0;
  double first = 0.0;
  for (int i = 0; i < kSteps; ++i) {
    const double pt = (i + 0.5) * kMaxPt / kSteps;
    const double density = pt * std::pow(1.0 + (std::hypot(pt, mass) - mass) / (n * temperature), -n);
    norm += density;
    first += density * pt;
  }
  return first / norm;
}

TEST(Tsallis, SampledMeanMatchesIntegral) {
  for (const double mass : {constants::kPionMass, constants::kKaonMass, constants::kProtonMass}) {
    const TsallisSpectrum spectrum(mass, 6.8, 0.14);
    Rng rng(5);
    constexpr int kSamples = 100000;
    double sum = 0.0;
    double sum2 = 0.0;
    for (int i = 0; i < kSamples; ++i) {
      const double pt = spectrum.sample(rng);
      ASSERT_GE(pt, 0.0);
      sum += pt;
      sum2 += pt * pt;
    }
    const double mean = sum / kSamples;
    const double standard_error = std::sqrt((sum2 / kSamples - mean * mean) / kSamples);
    const double expected = integrated_mean_pt(mass, 6.8, 0.14);
    // The table stops at 50 GeV, which removes a tail of relative weight < 1e-6.
    EXPECT_NEAR(spectrum.mean(), expected, 2e-3 * expected) << "mass " << mass;
    EXPECT_NEAR(mean, expected, 3.0 * standard_error) << "mass " << mass;
  }
}

TEST(Tsallis, PionMeanPtInMeasuredRange) {
  // Charged-particle <pT> at the LHC is 0.5-0.6 GeV; pions sit slightly lower
  // (estimate of the range the defaults should give: 0.4-0.6 GeV).
  const TsallisSpectrum pions(constants::kPionMass, 6.8, 0.14);
  EXPECT_GT(pions.mean(), 0.4);
  EXPECT_LT(pions.mean(), 0.6);
  // Heavier species have harder spectra at the same T.
  const TsallisSpectrum protons(constants::kProtonMass, 6.8, 0.14);
  EXPECT_GT(protons.mean(), pions.mean());
}

class MinimumBiasTest : public ::testing::Test {
 protected:
  ParticleTable table_ = ParticleTable::standard();
};

TEST_F(MinimumBiasTest, MultiplicityPerCollisionMatchesConfig) {
  const MinimumBiasConfig config;
  const MinimumBiasGenerator generator(config, table_);
  // dN/deta shape: flat to 2.5, linear to 0.75 at 5: 2 (2.5 + 2.5 * 0.875) = 9.375 units.
  EXPECT_NEAR(generator.mean_charged_multiplicity(), 5.7 * 9.375, 1e-9);

  Rng rng(42);
  constexpr int kCollisions = 5000;
  std::vector<edm::Particle> particles;
  double charged = 0.0;
  double central = 0.0;
  double pi0 = 0.0;
  double k0s = 0.0;
  double lambdas = 0.0;
  double kaons = 0.0;
  double beyond_acceptance = 0.0;
  for (int collision = 0; collision < kCollisions; ++collision) {
    particles.clear();
    generator.generate(static_cast<std::uint32_t>(collision), {0.0, 0.0, 1.0}, rng, particles);
    for (const edm::Particle& particle : particles) {
      ASSERT_EQ(particle.collision, static_cast<std::uint32_t>(collision));
      ASSERT_EQ(particle.process, edm::CreationProcess::kPrimary);
      ASSERT_EQ(particle.parent, -1);
      ASSERT_EQ(particle.vertex.z, 1.0);
      ASSERT_LE(std::abs(particle.eta()), 5.0 + 1e-9);
      const int code = std::abs(particle.pdg_id);
      if (particle.charge != 0) {
        charged += 1.0;
        central += std::abs(particle.eta()) < 0.5 ? 1.0 : 0.0;
        kaons += code == pdg::kKaon ? 1.0 : 0.0;
        beyond_acceptance += std::abs(particle.eta()) > 4.0 ? 1.0 : 0.0;
      }
      pi0 += code == pdg::kPi0 ? 1.0 : 0.0;
      k0s += code == pdg::kK0Short ? 1.0 : 0.0;
      lambdas += code == pdg::kLambda ? 1.0 : 0.0;
    }
  }
  // Negative binomial, k = 1.5: the standard deviation per collision is about
  // 44 for the total and 5.2 in |eta| < 0.5; tolerances are 3 standard errors.
  EXPECT_NEAR(charged / kCollisions, 53.44, 3.0 * 44.0 / std::sqrt(kCollisions));
  EXPECT_NEAR(central / kCollisions, 5.7, 3.0 * 5.2 / std::sqrt(kCollisions));
  EXPECT_NEAR(kaons / charged, 0.12, 0.01);
  EXPECT_NEAR(k0s / kCollisions, 0.3 * 9.375, 0.25);
  EXPECT_NEAR(lambdas / kCollisions, 0.1 * 9.375, 0.1);
  EXPECT_NEAR(pi0 / kCollisions, 0.5 * 0.82 * 53.44, 2.0);
  // Particles beyond the tracker acceptance are generated too.
  EXPECT_GT(beyond_acceptance / charged, 0.1);
}

TEST_F(MinimumBiasTest, EtaShapeFallsBeyondPlateau) {
  const MinimumBiasGenerator generator(MinimumBiasConfig{}, table_);
  Rng rng(3);
  constexpr int kSamples = 200000;
  double central = 0.0;
  double edge = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    const double eta = std::abs(generator.sample_eta(rng));
    central += eta < 0.5 ? 1.0 : 0.0;
    edge += eta > 4.5 ? 1.0 : 0.0;
  }
  // Shape 1 at the centre and 1 - 0.25 * (eta - 2.5) / 2.5 at the edge: the
  // ratio of the bins [0, 0.5) and (4.5, 5] is 1 : 0.775.
  EXPECT_NEAR(edge / central, 0.775, 0.03);
}

TEST_F(MinimumBiasTest, InvalidConfigurationIsRejected) {
  MinimumBiasConfig config;
  config.tsallis_n = 1.0;
  EXPECT_THROW(MinimumBiasGenerator(config, table_), ConfigError);
  config = MinimumBiasConfig{};
  config.edge_fraction = 1.5;
  EXPECT_THROW(MinimumBiasGenerator(config, table_), ConfigError);
  config = MinimumBiasConfig{};
  config.max_eta = 1.0;
  EXPECT_THROW(MinimumBiasGenerator(config, table_), ConfigError);
  config = MinimumBiasConfig{};
  config.pion_fraction = 0.0;
  config.kaon_fraction = 0.0;
  config.proton_fraction = 0.0;
  EXPECT_THROW(MinimumBiasGenerator(config, table_), ConfigError);
}

TEST_F(MinimumBiasTest, TtbarJetsCarryBAndCHadrons) {
  const MinimumBiasGenerator minimum_bias(MinimumBiasConfig{}, table_);
  TtbarConfig config;
  config.underlying_event_scale = 0.0;
  const TtbarGenerator generator(config, minimum_bias, table_);
  Rng rng(8);
  int charm = 0;
  constexpr int kEvents = 200;
  for (int event = 0; event < kEvents; ++event) {
    std::vector<edm::Particle> particles;
    generator.generate(0, {}, rng, particles);
    int b_hadrons = 0;
    int charged = 0;
    double charged_pt = 0.0;
    for (const edm::Particle& particle : particles) {
      const int code = std::abs(particle.pdg_id);
      b_hadrons += (code == pdg::kBPlus || code == pdg::kB0 || code == pdg::kLambdaB) ? 1 : 0;
      charm += (code == pdg::kD0 || code == pdg::kDPlus) ? 1 : 0;
      if (particle.charge != 0 && code != pdg::kBPlus && code != pdg::kDPlus) {
        ++charged;
        charged_pt += particle.pt();
      }
    }
    EXPECT_EQ(b_hadrons, 2);
    // 4-6 jets with 10-30 charged hadrons each.
    EXPECT_GE(charged, 40);
    EXPECT_LE(charged, 180);
    EXPECT_GT(charged_pt, 0.65 * 0.1 * 4 * 20.0);
  }
  // Light jets carry a charm meson with probability 0.3: about 0.9 per event.
  EXPECT_NEAR(static_cast<double>(charm) / kEvents, 0.9, 0.25);
}

TEST_F(MinimumBiasTest, InvalidTtbarAndExoticAreRejected) {
  const MinimumBiasGenerator minimum_bias(MinimumBiasConfig{}, table_);
  TtbarConfig ttbar;
  ttbar.max_jets = 2;
  EXPECT_THROW(TtbarGenerator(ttbar, minimum_bias, table_), ConfigError);
  ttbar = TtbarConfig{};
  ttbar.charged_fraction = 0.9;
  EXPECT_THROW(TtbarGenerator(ttbar, minimum_bias, table_), ConfigError);
  ttbar = TtbarConfig{};
  ttbar.b_fraction_max = 1.0;
  EXPECT_THROW(TtbarGenerator(ttbar, minimum_bias, table_), ConfigError);

  ExoticConfig exotic;
  EXPECT_NO_THROW(exotic.validate(table_));
  exotic.ctau = 0.0;
  EXPECT_THROW(exotic.validate(table_), ConfigError);
  exotic = ExoticConfig{};
  exotic.daughter_pdg_id = pdg::kPi0;
  EXPECT_THROW(exotic.validate(table_), ConfigError);
  exotic = ExoticConfig{};
  exotic.mass = 0.1;
  EXPECT_THROW(exotic.validate(table_), ConfigError);

  BeamConfig beam;
  beam.sigma_z = -1.0;
  EXPECT_THROW(beam.validate(), ConfigError);
}

}  // namespace
}  // namespace trackpurity::sim
