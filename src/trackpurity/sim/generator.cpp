#include "trackpurity/sim/generator.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <numbers>
#include <string>

#include "trackpurity/core/error.hpp"

namespace trackpurity::sim {

namespace {

void require(bool condition, const std::string& message) {
  if (!condition) {
    throw ConfigError(message);
  }
}

std::string text(double value) { return std::to_string(value); }

// Momentum vector from pT, eta and phi.
edm::Vector3 from_pt_eta_phi(double pt, double eta, double phi) noexcept {
  return {pt * std::cos(phi), pt * std::sin(phi), pt * std::sinh(eta)};
}

// Number of tabulation nodes of a Tsallis spectrum; spaced quadratically in
// pT so that the peak below 1 GeV is finely resolved.
constexpr int kSpectrumNodes = 4096;

}  // namespace

void BeamConfig::validate() const {
  require(sigma_x >= 0.0 && sigma_y >= 0.0 && sigma_z >= 0.0,
          "beam spot widths must be >= 0, found sigma_x = " + text(sigma_x) + " cm, sigma_y = " +
              text(sigma_y) + " cm, sigma_z = " + text(sigma_z) + " cm");
}

void MinimumBiasConfig::validate() const {
  require(dnch_deta >= 0.0, "minimum-bias dnch_deta must be >= 0, found " + text(dnch_deta));
  require(plateau_eta > 0.0 && max_eta >= plateau_eta,
          "minimum-bias eta shape needs 0 < plateau_eta <= max_eta, found " + text(plateau_eta) +
              " and " + text(max_eta));
  require(edge_fraction >= 0.0 && edge_fraction <= 1.0,
          "minimum-bias edge_fraction must be in [0, 1], found " + text(edge_fraction));
  require(multiplicity_nbd_k >= 0.0,
          "minimum-bias multiplicity_nbd_k must be >= 0, found " + text(multiplicity_nbd_k));
  require(tsallis_n > 2.0 && tsallis_t > 0.0,
          "Tsallis parameters need n > 2 and T > 0, found n = " + text(tsallis_n) + ", T = " +
              text(tsallis_t) + " GeV");
  require(pion_fraction >= 0.0 && kaon_fraction >= 0.0 && proton_fraction >= 0.0 &&
              pion_fraction + kaon_fraction + proton_fraction > 0.0,
          "minimum-bias species fractions must be >= 0 with a positive sum");
  require(k0s_per_unit_eta >= 0.0 && lambda_per_unit_eta >= 0.0 && pi0_per_charged_pion >= 0.0,
          "minimum-bias neutral yields must be >= 0");
}

void TtbarConfig::validate() const {
  require(min_jets >= 0 && max_jets >= min_jets,
          "ttbar needs 0 <= min_jets <= max_jets, found " + std::to_string(min_jets) + " and " +
              std::to_string(max_jets));
  require(jet_pt_min > 0.0 && jet_pt_max >= jet_pt_min,
          "ttbar needs 0 < jet_pt_min <= jet_pt_max, found " + text(jet_pt_min) + " and " +
              text(jet_pt_max) + " GeV");
  require(jet_max_eta > 0.0, "ttbar jet_max_eta must be positive, found " + text(jet_max_eta));
  require(min_charged_per_jet >= 0 && max_charged_per_jet >= min_charged_per_jet,
          "ttbar needs 0 <= min_charged_per_jet <= max_charged_per_jet");
  require(charged_fraction >= 0.0 && photon_fraction >= 0.0 &&
              charged_fraction + photon_fraction <= 1.0,
          "ttbar charged_fraction + photon_fraction must be in [0, 1]");
  require(fragmentation_shape > 0.0 && mean_jt >= 0.0,
          "ttbar fragmentation_shape must be positive and mean_jt >= 0");
  require(b_hadrons >= 0 && b_hadrons <= min_jets,
          "ttbar b_hadrons must be in [0, min_jets], found " + std::to_string(b_hadrons));
  require(0.0 <= b_fraction_min && b_fraction_min <= b_fraction_max && b_fraction_max < 1.0,
          "ttbar needs 0 <= b_fraction_min <= b_fraction_max < 1");
  require(0.0 <= c_fraction_min && c_fraction_min <= c_fraction_max && c_fraction_max < 1.0,
          "ttbar needs 0 <= c_fraction_min <= c_fraction_max < 1");
  require(bplus_fraction >= 0.0 && b0_fraction >= 0.0 && lambdab_fraction >= 0.0 &&
              bplus_fraction + b0_fraction + lambdab_fraction > 0.0,
          "ttbar b hadron fractions must be >= 0 with a positive sum");
  require(charm_probability >= 0.0 && charm_probability <= 1.0,
          "ttbar charm_probability must be in [0, 1], found " + text(charm_probability));
  require(underlying_event_scale >= 0.0, "ttbar underlying_event_scale must be >= 0");
}

void ExoticConfig::validate(const ParticleTable& particles) const {
  require(count_per_event >= 0, "exotic count_per_event must be >= 0, found " +
                                    std::to_string(count_per_event));
  require(ctau > 0.0, "exotic ctau must be positive, found " + text(ctau) + " cm");
  require(mean_pt > 0.0 && max_eta > 0.0, "exotic mean_pt and max_eta must be positive");
  const Species* daughter = particles.find(daughter_pdg_id);
  require(daughter != nullptr && daughter->charge != 0,
          "exotic daughter_pdg_id must be a known charged species, found " +
              std::to_string(daughter_pdg_id));
  require(mass > 2.0 * daughter->mass, "exotic mass must exceed twice the daughter mass, found " +
                                           text(mass) + " GeV");
}

TsallisSpectrum::TsallisSpectrum(double mass, double n, double temperature, double pt_max) {
  pt_.resize(kSpectrumNodes + 1);
  cdf_.resize(kSpectrumNodes + 1);
  double previous_density = 0.0;
  double first_moment = 0.0;
  for (int i = 0; i <= kSpectrumNodes; ++i) {
    const double x = static_cast<double>(i) / kSpectrumNodes;
    pt_[i] = pt_max * x * x;
    const double value = density(pt_[i], mass, n, temperature);
    if (i > 0) {
      const double width = pt_[i] - pt_[i - 1];
      cdf_[i] = cdf_[i - 1] + 0.5 * (value + previous_density) * width;
      first_moment += 0.5 * (value * pt_[i] + previous_density * pt_[i - 1]) * width;
    }
    previous_density = value;
  }
  const double total = cdf_.back();
  for (double& value : cdf_) {
    value /= total;
  }
  mean_ = first_moment / total;
}

double TsallisSpectrum::density(double pt, double mass, double n, double temperature) noexcept {
  const double mt = std::hypot(pt, mass);
  return pt * std::pow(1.0 + (mt - mass) / (n * temperature), -n);
}

double TsallisSpectrum::sample(Rng& rng) const noexcept {
  const double u = rng.uniform();
  const auto upper = std::upper_bound(cdf_.begin(), cdf_.end(), u);
  const auto index = static_cast<std::size_t>(std::clamp<std::ptrdiff_t>(
      upper - cdf_.begin(), 1, static_cast<std::ptrdiff_t>(cdf_.size()) - 1));
  const double low = cdf_[index - 1];
  const double high = cdf_[index];
  const double fraction = high > low ? (u - low) / (high - low) : 0.0;
  return pt_[index - 1] + fraction * (pt_[index] - pt_[index - 1]);
}

std::uint32_t add_primary(std::vector<edm::Particle>& particles, std::uint32_t collision,
                          int pdg_id, int charge, const edm::Vector3& vertex,
                          const edm::Vector3& momentum) {
  edm::Particle particle;
  particle.id = static_cast<std::uint32_t>(particles.size());
  particle.collision = collision;
  particle.pdg_id = pdg_id;
  particle.charge = charge;
  particle.vertex = vertex;
  particle.momentum = momentum;
  particle.parent = -1;
  particle.process = edm::CreationProcess::kPrimary;
  particles.push_back(particle);
  return particle.id;
}

MinimumBiasGenerator::MinimumBiasGenerator(MinimumBiasConfig config, const ParticleTable& particles)
    : config_((config.validate(), config)),
      particles_(particles),
      pion_(particles.mass(pdg::kPion), config.tsallis_n, config.tsallis_t),
      kaon_(particles.mass(pdg::kKaon), config.tsallis_n, config.tsallis_t),
      proton_(particles.mass(pdg::kProton), config.tsallis_n, config.tsallis_t),
      pi0_(particles.mass(pdg::kPi0), config.tsallis_n, config.tsallis_t),
      k0s_(particles.mass(pdg::kK0Short), config.tsallis_n, config.tsallis_t),
      lambda_(particles.mass(pdg::kLambda), config.tsallis_n, config.tsallis_t) {
  const double tail = config_.max_eta - config_.plateau_eta;
  eta_integral_ = 2.0 * (config_.plateau_eta + tail * 0.5 * (1.0 + config_.edge_fraction));
}

double MinimumBiasGenerator::mean_charged_multiplicity() const noexcept {
  return config_.dnch_deta * eta_integral_;
}

const TsallisSpectrum& MinimumBiasGenerator::spectrum(int pdg_id) const noexcept {
  switch (std::abs(pdg_id)) {
    case pdg::kKaon:
      return kaon_;
    case pdg::kProton:
      return proton_;
    case pdg::kPi0:
      return pi0_;
    case pdg::kK0Short:
      return k0s_;
    case pdg::kLambda:
      return lambda_;
    default:
      return pion_;
  }
}

double MinimumBiasGenerator::sample_pt(int pdg_id, Rng& rng) const noexcept {
  return spectrum(pdg_id).sample(rng);
}

int MinimumBiasGenerator::sample_charged_species(Rng& rng) const noexcept {
  const double total = config_.pion_fraction + config_.kaon_fraction + config_.proton_fraction;
  const double pick = rng.uniform() * total;
  int code = pdg::kPion;
  if (pick >= config_.pion_fraction + config_.kaon_fraction) {
    code = pdg::kProton;
  } else if (pick >= config_.pion_fraction) {
    code = pdg::kKaon;
  }
  return rng.accept(0.5) ? code : -code;
}

double MinimumBiasGenerator::sample_eta(Rng& rng) const noexcept {
  // The half shape has area plateau + tail (1 + f) / 2 with a linear density
  // g(x) = 1 - (1 - f) x / tail over the tail x in [0, tail].
  const double plateau = config_.plateau_eta;
  const double tail = config_.max_eta - plateau;
  const double slope = (1.0 - config_.edge_fraction) / tail;
  double area = rng.uniform() * 0.5 * eta_integral_;
  double abs_eta = 0.0;
  if (area < plateau || tail <= 0.0) {
    abs_eta = area;
  } else {
    area -= plateau;
    // Solve x - slope x^2 / 2 = area for the root in [0, tail].
    const double x = slope > 1e-12 ? (1.0 - std::sqrt(std::max(0.0, 1.0 - 2.0 * slope * area))) / slope
                                   : area;
    abs_eta = plateau + std::min(x, tail);
  }
  return rng.accept(0.5) ? abs_eta : -abs_eta;
}

void MinimumBiasGenerator::generate(std::uint32_t collision, const edm::Vector3& vertex, Rng& rng,
                                    std::vector<edm::Particle>& particles,
                                    double multiplicity_scale) const {
  // 1. Charged multiplicity: negative binomial as a gamma-Poisson mixture.
  double mean = mean_charged_multiplicity() * multiplicity_scale;
  if (config_.multiplicity_nbd_k > 0.0) {
    mean *= rng.gamma(config_.multiplicity_nbd_k) / config_.multiplicity_nbd_k;
  }
  const int charged = rng.poisson(mean);
  // The strange neutrals scale with the same fluctuation as the charged particles.
  const double scale = mean_charged_multiplicity() > 0.0 ? mean / mean_charged_multiplicity() : 0.0;

  // 2. Charged hadrons.
  int charged_pions = 0;
  for (int i = 0; i < charged; ++i) {
    const int code = sample_charged_species(rng);
    charged_pions += std::abs(code) == pdg::kPion ? 1 : 0;
    const double pt = sample_pt(code, rng);
    const double eta = sample_eta(rng);
    const double phi = rng.uniform(-std::numbers::pi, std::numbers::pi);
    add_primary(particles, collision, code, particles_.charge(code), vertex,
                from_pt_eta_phi(pt, eta, phi));
  }

  // 3. Neutrals: pi0 (decaying to photons where they are made), K0S, Lambda.
  const int pi0_count = rng.poisson(config_.pi0_per_charged_pion * charged_pions);
  const int k0s_count = rng.poisson(config_.k0s_per_unit_eta * eta_integral_ * scale);
  const int lambda_count = rng.poisson(config_.lambda_per_unit_eta * eta_integral_ * scale);
  auto add_neutrals = [&](int count, int code, bool random_conjugate) {
    for (int i = 0; i < count; ++i) {
      const int signed_code = random_conjugate && rng.accept(0.5) ? -code : code;
      const double pt = sample_pt(code, rng);
      const double eta = sample_eta(rng);
      const double phi = rng.uniform(-std::numbers::pi, std::numbers::pi);
      add_primary(particles, collision, signed_code, 0, vertex, from_pt_eta_phi(pt, eta, phi));
    }
  };
  add_neutrals(pi0_count, pdg::kPi0, false);
  add_neutrals(k0s_count, pdg::kK0Short, false);
  add_neutrals(lambda_count, pdg::kLambda, true);
}

TtbarGenerator::TtbarGenerator(TtbarConfig config, const MinimumBiasGenerator& minimum_bias,
                               const ParticleTable& particles)
    : config_((config.validate(), config)), minimum_bias_(minimum_bias), particles_(particles) {}

void TtbarGenerator::generate(std::uint32_t collision, const edm::Vector3& vertex, Rng& rng,
                              std::vector<edm::Particle>& particles) const {
  minimum_bias_.generate(collision, vertex, rng, particles, config_.underlying_event_scale);
  const int jets = rng.uniform_int(config_.min_jets, config_.max_jets);
  for (int jet = 0; jet < jets; ++jet) {
    generate_jet(jet, collision, vertex, rng, particles);
  }
}

void TtbarGenerator::generate_jet(int jet_index, std::uint32_t collision,
                                  const edm::Vector3& vertex, Rng& rng,
                                  std::vector<edm::Particle>& particles) const {
  // 1. Jet axis: pT from a power law by inversion, eta and phi uniform.
  const double power = config_.jet_pt_power;
  double jet_pt = config_.jet_pt_min;
  if (std::abs(power - 1.0) < 1e-9) {
    jet_pt = config_.jet_pt_min * std::pow(config_.jet_pt_max / config_.jet_pt_min, rng.uniform());
  } else {
    const double low = std::pow(config_.jet_pt_min, 1.0 - power);
    const double high = std::pow(config_.jet_pt_max, 1.0 - power);
    jet_pt = std::pow(low + rng.uniform() * (high - low), 1.0 / (1.0 - power));
  }
  const double jet_eta = rng.uniform(-config_.jet_max_eta, config_.jet_max_eta);
  const double jet_phi = rng.uniform(-std::numbers::pi, std::numbers::pi);
  const edm::Vector3 jet_momentum = from_pt_eta_phi(jet_pt, jet_eta, jet_phi);
  const double jet_p = jet_momentum.norm();
  const edm::Vector3 axis{jet_momentum.x / jet_p, jet_momentum.y / jet_p, jet_momentum.z / jet_p};
  // Unit vectors perpendicular to the axis for the transverse kicks.
  const edm::Vector3 e1{-std::sin(jet_phi), std::cos(jet_phi), 0.0};
  const edm::Vector3 e2{axis.y * e1.z - axis.z * e1.y, axis.z * e1.x - axis.x * e1.z,
                        axis.x * e1.y - axis.y * e1.x};
  auto constituent = [&](double longitudinal) {
    // jT from a gamma(2) distribution with the configured mean, at a random angle.
    const double jt = config_.mean_jt * 0.5 * rng.gamma(2.0);
    const double angle = rng.uniform(0.0, 2.0 * std::numbers::pi);
    const double kick_1 = jt * std::cos(angle);
    const double kick_2 = jt * std::sin(angle);
    return edm::Vector3{longitudinal * axis.x + kick_1 * e1.x + kick_2 * e2.x,
                        longitudinal * axis.y + kick_1 * e1.y + kick_2 * e2.y,
                        longitudinal * axis.z + kick_1 * e1.z + kick_2 * e2.z};
  };

  // 2. Heavy flavour: a b hadron in the first b_hadrons jets (b, then anti-b,
  // alternating), a charm meson in some of the other jets.
  double heavy_fraction = 0.0;
  if (jet_index < config_.b_hadrons) {
    const double total = config_.bplus_fraction + config_.b0_fraction + config_.lambdab_fraction;
    const double pick = rng.uniform() * total;
    int code = pdg::kLambdaB;
    if (pick < config_.bplus_fraction) {
      code = pdg::kBPlus;
    } else if (pick < config_.bplus_fraction + config_.b0_fraction) {
      code = pdg::kB0;
    }
    if (jet_index % 2 == 1) {
      code = particles_.conjugate(code);
    }
    heavy_fraction = rng.uniform(config_.b_fraction_min, config_.b_fraction_max);
    add_primary(particles, collision, code, particles_.charge(code), vertex,
                constituent(heavy_fraction * jet_p));
  } else if (rng.accept(config_.charm_probability)) {
    int code = rng.accept(0.5) ? pdg::kD0 : pdg::kDPlus;
    code = rng.accept(0.5) ? code : -code;
    heavy_fraction = rng.uniform(config_.c_fraction_min, config_.c_fraction_max);
    add_primary(particles, collision, code, particles_.charge(code), vertex,
                constituent(heavy_fraction * jet_p));
  }

  // 3. Light charged hadrons: the count rises with ln(pT); momentum
  // fractions are normalised gamma weights.
  const double log_position =
      config_.jet_pt_max > config_.jet_pt_min
          ? std::log(jet_pt / config_.jet_pt_min) / std::log(config_.jet_pt_max / config_.jet_pt_min)
          : 0.0;
  const double expected = config_.min_charged_per_jet +
                          log_position * (config_.max_charged_per_jet - config_.min_charged_per_jet);
  const int charged = std::clamp(static_cast<int>(std::lround(expected + 2.0 * rng.gaussian())),
                                 config_.min_charged_per_jet, config_.max_charged_per_jet);
  const double light_p = (1.0 - heavy_fraction) * jet_p;
  auto add_fragments = [&](int count, double momentum, bool neutral_pions) {
    std::vector<double> weights(static_cast<std::size_t>(count));
    double sum = 0.0;
    for (double& weight : weights) {
      weight = rng.gamma(config_.fragmentation_shape);
      sum += weight;
    }
    for (const double weight : weights) {
      const int code = neutral_pions ? pdg::kPi0 : minimum_bias_.sample_charged_species(rng);
      add_primary(particles, collision, code, particles_.charge(code), vertex,
                  constituent(momentum * weight / sum));
    }
  };
  add_fragments(charged, config_.charged_fraction * light_p, false);

  // 4. Neutral pions carry the photon share, about one per two charged hadrons.
  add_fragments(std::max(1, charged / 2), config_.photon_fraction * light_p, true);
}

void generate_exotics(const ExoticConfig& config, std::uint32_t collision,
                      const edm::Vector3& vertex, Rng& rng, std::vector<edm::Particle>& particles) {
  for (int i = 0; i < config.count_per_event; ++i) {
    const double pt = rng.exponential(config.mean_pt);
    const double eta = rng.uniform(-config.max_eta, config.max_eta);
    const double phi = rng.uniform(-std::numbers::pi, std::numbers::pi);
    add_primary(particles, collision, pdg::kExotic, 0, vertex, from_pt_eta_phi(pt, eta, phi));
  }
}

}  // namespace trackpurity::sim
