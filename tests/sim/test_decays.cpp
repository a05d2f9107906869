#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/sim/decays.hpp"

namespace trackpurity::sim {
namespace {

double invariant_mass(const FourMomentum& p) {
  return std::sqrt(std::max(0.0, p.e * p.e - p.px * p.px - p.py * p.py - p.pz * p.pz));
}

TEST(Decays, PhaseSpaceConservesFourMomentum) {
  const ParticleTable table = ParticleTable::standard();
  Rng rng(1);
  const double parent_mass = table.mass(pdg::kBPlus);
  const FourMomentum parent = on_shell({10.0, -5.0, 30.0}, parent_mass);
  const std::vector<double> masses{table.mass(pdg::kD0), constants::kPionMass, constants::kPionMass,
                                   constants::kPionMass};
  for (int trial = 0; trial < 100; ++trial) {
    const auto daughters = phase_space_decay(parent, parent_mass, masses, rng);
    ASSERT_EQ(daughters.size(), masses.size());
    FourMomentum sum;
    for (std::size_t i = 0; i < daughters.size(); ++i) {
      EXPECT_NEAR(invariant_mass(daughters[i]), masses[i], 1e-6);
      sum.px += daughters[i].px;
      sum.py += daughters[i].py;
      sum.pz += daughters[i].pz;
      sum.e += daughters[i].e;
    }
    EXPECT_NEAR(sum.px, parent.px, 1e-9);
    EXPECT_NEAR(sum.py, parent.py, 1e-9);
    EXPECT_NEAR(sum.pz, parent.pz, 1e-9);
    EXPECT_NEAR(sum.e, parent.e, 1e-9);
  }
}

TEST(Decays, TwoBodyRestFrameMomentum) {
  // K0S -> pi+ pi-: p* = 206 MeV (PDG).
  const ParticleTable table = ParticleTable::standard();
  EXPECT_NEAR(two_body_momentum(table.mass(pdg::kK0Short), constants::kPionMass,
                                constants::kPionMass),
              0.2060, 0.0005);
  EXPECT_EQ(two_body_momentum(0.2, constants::kPionMass, constants::kPionMass), 0.0);
}

TEST(Decays, DaughtersHeavierThanParentAreRejected) {
  Rng rng(1);
  EXPECT_THROW(phase_space_decay(on_shell({0, 0, 1}, 0.5), 0.5, {0.3, 0.3}, rng),
               std::invalid_argument);
  EXPECT_THROW(phase_space_decay(on_shell({0, 0, 1}, 0.5), 0.5, {0.1}, rng), std::invalid_argument);
}

TEST(Decays, AntiparticleDecaysToConjugates) {
  const ParticleTable particles = ParticleTable::standard();
  const DecayTable decays = DecayTable::standard();
  Rng rng(4);
  for (int trial = 0; trial < 200; ++trial) {
    for (const int parent : {pdg::kBPlus, -pdg::kBPlus, pdg::kB0, pdg::kLambdaB, pdg::kDPlus,
                             -pdg::kDPlus, pdg::kD0, pdg::kLambda, -pdg::kLambda, pdg::kK0Short}) {
      const auto products = decays.decay(parent, {1.0, 2.0, 3.0}, particles, rng);
      int charge = 0;
      for (const DecayProduct& product : products) {
        charge += particles.charge(product.pdg_id);
      }
      ASSERT_EQ(charge, particles.charge(parent)) << "parent " << parent;
    }
  }
}

TEST(Decays, LambdaDecaysToProtonOrNeutron) {
  const ParticleTable particles = ParticleTable::standard();
  const DecayTable decays = DecayTable::standard();
  Rng rng(9);
  int proton_pion = 0;
  constexpr int kTrials = 20000;
  for (int trial = 0; trial < kTrials; ++trial) {
    const auto products = decays.decay(pdg::kLambda, {0.0, 0.0, 2.0}, particles, rng);
    ASSERT_EQ(products.size(), 2U);
    proton_pion += products[0].pdg_id == pdg::kProton ? 1 : 0;
  }
  // PDG: 64.1 % p pi-; 4 standard errors = 1.4 %.
  EXPECT_NEAR(static_cast<double>(proton_pion) / kTrials, 0.641 / (0.641 + 0.359), 0.014);
}

TEST(Decays, InvalidTablesAreRejected) {
  DecayTable table;
  EXPECT_THROW(table.set(pdg::kK0Short, {}), ConfigError);
  EXPECT_THROW(table.set(pdg::kK0Short, {{0.0, {pdg::kPion, -pdg::kPion}}}), ConfigError);
  EXPECT_THROW(table.set(pdg::kK0Short, {{1.0, {pdg::kPion}}}), ConfigError);
  const ParticleTable particles = ParticleTable::standard();
  Rng rng(1);
  EXPECT_THROW(table.decay(pdg::kK0Short, {0, 0, 1}, particles, rng), std::out_of_range);
}

TEST(ParticleTable, LookupAndErrors) {
  ParticleTable table = ParticleTable::standard();
  EXPECT_EQ(table.charge(pdg::kPion), 1);
  EXPECT_EQ(table.charge(-pdg::kPion), -1);
  EXPECT_EQ(table.charge(pdg::kElectron), -1);
  EXPECT_EQ(table.conjugate(pdg::kPi0), pdg::kPi0);
  EXPECT_EQ(table.conjugate(pdg::kLambda), -pdg::kLambda);
  EXPECT_NEAR(table.at(pdg::kK0Short).ctau, 2.6844, 1e-12);
  EXPECT_EQ(table.find(12345), nullptr);
  EXPECT_THROW((void)table.at(12345), std::out_of_range);
  EXPECT_THROW(table.add({pdg::kExotic, "X", -1.0, 0, 10.0, true}), ConfigError);
  EXPECT_THROW(table.add({pdg::kExotic, "X", 50.0, 0, 0.0, true}), ConfigError);
  table.add({pdg::kExotic, "X", 50.0, 0, 10.0, true});
  EXPECT_EQ(table.mass(pdg::kExotic), 50.0);
}

}  // namespace
}  // namespace trackpurity::sim
