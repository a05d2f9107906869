#include "trackpurity/sim/decays.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <stdexcept>
#include <string>

#include "trackpurity/core/error.hpp"

namespace trackpurity::sim {

namespace {

// Isotropic unit vector.
edm::Vector3 random_direction(Rng& rng) noexcept {
  const double cos_theta = rng.uniform(-1.0, 1.0);
  const double sin_theta = std::sqrt(std::max(0.0, 1.0 - cos_theta * cos_theta));
  const double phi = rng.uniform(0.0, 2.0 * std::numbers::pi);
  return {sin_theta * std::cos(phi), sin_theta * std::sin(phi), cos_theta};
}

// Attempts before the phase-space weight rejection gives up and keeps the
// last configuration (never reached for the channels of the standard table).
constexpr int kMaxPhaseSpaceTries = 10000;

}  // namespace

FourMomentum on_shell(const edm::Vector3& momentum, double mass) noexcept {
  return {momentum.x, momentum.y, momentum.z,
          std::sqrt(momentum.x * momentum.x + momentum.y * momentum.y +
                    momentum.z * momentum.z + mass * mass)};
}

FourMomentum boost(const FourMomentum& p, const edm::Vector3& beta) noexcept {
  const double beta2 = beta.x * beta.x + beta.y * beta.y + beta.z * beta.z;
  if (beta2 <= 0.0) {
    return p;
  }
  const double gamma = 1.0 / std::sqrt(1.0 - beta2);
  const double beta_dot_p = beta.x * p.px + beta.y * p.py + beta.z * p.pz;
  const double factor = (gamma - 1.0) * beta_dot_p / beta2 + gamma * p.e;
  return {p.px + factor * beta.x, p.py + factor * beta.y, p.pz + factor * beta.z,
          gamma * (p.e + beta_dot_p)};
}

double two_body_momentum(double parent_mass, double mass_1, double mass_2) noexcept {
  const double sum = mass_1 + mass_2;
  const double difference = mass_1 - mass_2;
  const double product = (parent_mass * parent_mass - sum * sum) *
                         (parent_mass * parent_mass - difference * difference);
  if (product <= 0.0 || parent_mass <= 0.0) {
    return 0.0;
  }
  return std::sqrt(product) / (2.0 * parent_mass);
}

std::vector<FourMomentum> phase_space_decay(const FourMomentum& parent, double parent_mass,
                                            const std::vector<double>& masses, Rng& rng) {
  const std::size_t n = masses.size();
  if (n < 2) {
    throw std::invalid_argument("a decay needs at least two daughters, found " +
                                std::to_string(n));
  }
  double mass_sum = 0.0;
  for (const double mass : masses) {
    mass_sum += mass;
  }
  const double kinetic = parent_mass - mass_sum;
  if (kinetic < 0.0) {
    throw std::invalid_argument("daughters of mass " + std::to_string(mass_sum) +
                                " GeV are heavier than the parent of mass " +
                                std::to_string(parent_mass) + " GeV");
  }

  // 1. Invariant masses M_k of the first k daughters. The weight
  // prod_k p*(M_k; M_{k-1}, m_k) is bounded by setting each M_k to its
  // largest and M_{k-1} to its smallest value.
  double max_weight = 1.0;
  {
    double lower_sum = masses[0];
    for (std::size_t k = 1; k < n; ++k) {
      max_weight *= two_body_momentum(lower_sum + masses[k] + kinetic, lower_sum, masses[k]);
      lower_sum += masses[k];
    }
  }
  std::vector<double> system_mass(n);
  std::vector<double> randoms(n);
  for (int attempt = 0; attempt < kMaxPhaseSpaceTries; ++attempt) {
    randoms[0] = 0.0;
    for (std::size_t k = 1; k + 1 < n; ++k) {
      randoms[k] = rng.uniform();
    }
    randoms[n - 1] = 1.0;
    std::sort(randoms.begin() + 1, randoms.end() - 1);
    double running = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      running += masses[k];
      system_mass[k] = running + randoms[k] * kinetic;
    }
    double weight = 1.0;
    for (std::size_t k = 1; k < n; ++k) {
      weight *= two_body_momentum(system_mass[k], system_mass[k - 1], masses[k]);
    }
    if (n == 2 || rng.uniform() * max_weight <= weight) {
      break;
    }
  }

  // 2. Build the daughters from the inside out: in the rest frame of system
  // k, daughter k recoils against system k-1, whose members are boosted along.
  std::vector<FourMomentum> daughters(n);
  {
    const double p = two_body_momentum(system_mass[1], masses[0], masses[1]);
    const edm::Vector3 axis = random_direction(rng);
    daughters[0] = on_shell({p * axis.x, p * axis.y, p * axis.z}, masses[0]);
    daughters[1] = on_shell({-p * axis.x, -p * axis.y, -p * axis.z}, masses[1]);
  }
  for (std::size_t k = 2; k < n; ++k) {
    const double p = two_body_momentum(system_mass[k], system_mass[k - 1], masses[k]);
    const edm::Vector3 axis = random_direction(rng);
    daughters[k] = on_shell({p * axis.x, p * axis.y, p * axis.z}, masses[k]);
    const double system_energy = std::sqrt(p * p + system_mass[k - 1] * system_mass[k - 1]);
    const edm::Vector3 beta{-p * axis.x / system_energy, -p * axis.y / system_energy,
                            -p * axis.z / system_energy};
    for (std::size_t i = 0; i < k; ++i) {
      daughters[i] = boost(daughters[i], beta);
    }
  }

  // 3. Boost everything to the lab.
  const edm::Vector3 beta{parent.px / parent.e, parent.py / parent.e, parent.pz / parent.e};
  for (FourMomentum& daughter : daughters) {
    daughter = boost(daughter, beta);
  }
  return daughters;
}

DecayTable DecayTable::standard() {
  using namespace pdg;
  DecayTable table;
  // PDG 2024 branching fractions of the listed modes (renormalised among them).
  table.set(kPi0, {{0.988, {kPhoton, kPhoton}}});
  table.set(kK0Short, {{0.692, {kPion, -kPion}}, {0.307, {kPi0, kPi0}}});
  table.set(kLambda, {{0.641, {kProton, -kPion}}, {0.359, {kNeutron, kPi0}}});
  table.set(kD0, {{0.0395, {-kKaon, kPion}},
                  {0.144, {-kKaon, kPion, kPi0}},
                  {0.0822, {-kKaon, kPion, kPion, -kPion}},
                  {0.0280, {kK0Short, kPion, -kPion}}});
  table.set(kDPlus, {{0.0938, {-kKaon, kPion, kPion}},
                     {0.0156, {kK0Short, kPion}},
                     {0.0736, {kK0Short, kPion, kPi0}}});
  // b hadrons: representative modes; about 70 % of the weight goes to modes
  // with a charm meson (estimate; inclusive B -> D X is larger, the rest of
  // the charm is in the charged multiplicity of the other modes).
  table.set(kBPlus, {{0.15, {-kD0, kPion}},
                     {0.20, {-kD0, kPion, kPion, -kPion}},
                     {0.15, {-kDPlus, kPion, kPion}},
                     {0.20, {-kD0, kPion, kPi0}},
                     {0.10, {kKaon, kPion, -kPion}},
                     {0.10, {kPion, kPion, -kPion, kPion, -kPion}},
                     {0.10, {kKaon, kPion, -kPion, kPi0}}});
  table.set(kB0, {{0.15, {-kDPlus, kPion}},
                  {0.20, {-kDPlus, kPion, kPion, -kPion}},
                  {0.15, {-kD0, kPion, -kPion}},
                  {0.20, {-kDPlus, kPion, kPi0}},
                  {0.10, {kKaon, -kPion, kPion, -kPion}},
                  {0.10, {kPion, -kPion, kPion, -kPion}},
                  {0.10, {kKaon, -kPion, kPi0}}});
  table.set(kLambdaB, {{0.35, {kProton, kD0, -kPion}},
                       {0.25, {kProton, kD0, -kPion, kPion, -kPion}},
                       {0.20, {kProton, -kKaon, kPion, -kPion}},
                       {0.20, {kLambda, kPion, -kPion}}});
  return table;
}

void DecayTable::set(int pdg_id, std::vector<DecayChannel> channels) {
  if (channels.empty()) {
    throw ConfigError("decay table entry for PDG code " + std::to_string(pdg_id) +
                      " has no channels");
  }
  for (const DecayChannel& channel : channels) {
    if (!(channel.weight > 0.0) || channel.daughters.size() < 2) {
      throw ConfigError("decay channel of PDG code " + std::to_string(pdg_id) +
                        " needs a positive weight and at least two daughters");
    }
  }
  channels_[std::abs(pdg_id)] = std::move(channels);
}

bool DecayTable::has(int pdg_id) const noexcept {
  return channels_.find(std::abs(pdg_id)) != channels_.end();
}

std::vector<DecayProduct> DecayTable::decay(int pdg_id, const edm::Vector3& momentum,
                                            const ParticleTable& particles, Rng& rng) const {
  const auto found = channels_.find(std::abs(pdg_id));
  if (found == channels_.end()) {
    throw std::out_of_range("no decay channels for PDG code " + std::to_string(pdg_id));
  }
  const std::vector<DecayChannel>& channels = found->second;
  double total = 0.0;
  for (const DecayChannel& channel : channels) {
    total += channel.weight;
  }
  double pick = rng.uniform() * total;
  const DecayChannel* chosen = &channels.back();
  for (const DecayChannel& channel : channels) {
    if (pick < channel.weight) {
      chosen = &channel;
      break;
    }
    pick -= channel.weight;
  }

  std::vector<int> codes = chosen->daughters;
  if (pdg_id < 0) {
    for (int& code : codes) {
      code = particles.conjugate(code);
    }
  }
  std::vector<double> masses;
  masses.reserve(codes.size());
  for (const int code : codes) {
    masses.push_back(particles.mass(code));
  }
  const double parent_mass = particles.mass(pdg_id);
  const auto lab = phase_space_decay(on_shell(momentum, parent_mass), parent_mass, masses, rng);
  std::vector<DecayProduct> products(codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) {
    products[i] = {codes[i], lab[i].momentum()};
  }
  return products;
}

}  // namespace trackpurity::sim
