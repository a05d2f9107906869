#pragma once

#include <cstdint>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/particle.hpp"
#include "trackpurity/edm/vector3.hpp"
#include "trackpurity/sim/particle_data.hpp"
#include "trackpurity/sim/random.hpp"

// Event generation: pileup of minimum-bias collisions around a luminous
// region, a ttbar-like hard scatter and long-lived exotics. Generators only
// make primary particles; decays in flight happen during transport.

namespace trackpurity::sim {

// Luminous region: collision vertices are Gaussian around the beam spot.
struct BeamConfig {
  edm::Vector3 beam_spot;              // centre [cm]
  // Widths from the CMSSW VtxSmearedHLLHC14TeV parameters (crab-cavity scheme).
  double sigma_x = 6.0 * units::um;
  double sigma_y = 5.0 * units::um;
  double sigma_z = 4.3 * units::cm;

  void validate() const;
};

// Minimum-bias pp collision at 14 TeV.
struct MinimumBiasConfig {
  // Charged dN/deta at |eta| < 0.5. Estimate for 14 TeV from 5.49 at 13 TeV
  // (CMS, PLB 751 (2015) 143).
  double dnch_deta = 5.7;
  // dN/deta is flat up to |eta| = plateau_eta, then falls linearly to
  // edge_fraction of the central value at |eta| = max_eta (estimate).
  double plateau_eta = 2.5;
  double max_eta = 5.0;
  double edge_fraction = 0.75;
  // Shape k of the negative binomial multiplicity distribution (estimate;
  // UA5 and ALICE fits give k ~ 1-2 at LHC energies). 0 makes it Poisson.
  double multiplicity_nbd_k = 1.5;
  // Tsallis d2N/dy dpT ~ pT (1 + (mT - m) / (n T))^-n: n from arXiv 1706.04860,
  // T an estimate.
  double tsallis_n = 6.8;
  double tsallis_t = 0.14 * units::GeV;
  // Charged species mix (estimate from measured pi/K/p ratios at the LHC).
  double pion_fraction = 0.82;
  double kaon_fraction = 0.12;
  double proton_fraction = 0.06;
  // Neutral strange hadrons per unit eta (same eta shape; estimates).
  double k0s_per_unit_eta = 0.3;
  double lambda_per_unit_eta = 0.1;
  // Neutral pions per charged pion (isospin: pi0 ~ (pi+ + pi-) / 2).
  double pi0_per_charged_pion = 0.5;

  void validate() const;
};

// ttbar-like hard scatter: jets with b and c hadrons on top of an underlying event.
struct TtbarConfig {
  int min_jets = 4;
  int max_jets = 6;
  // Jet pT follows pT^-jet_pt_power in [jet_pt_min, jet_pt_max] (estimate).
  double jet_pt_min = 20.0 * units::GeV;
  double jet_pt_max = 200.0 * units::GeV;
  double jet_pt_power = 2.0;
  double jet_max_eta = 2.5;
  // Charged particles per jet rise with ln(pT) from min at jet_pt_min to max at jet_pt_max.
  int min_charged_per_jet = 10;
  int max_charged_per_jet = 30;
  // Energy shares of a jet (estimate from particle-flow jet composition):
  // charged hadrons and photons from pi0 (the rest is neutral hadrons, not simulated).
  double charged_fraction = 0.65;
  double photon_fraction = 0.25;
  // Shape of the gamma distribution of longitudinal momentum weights; below 1
  // gives a leading particle (estimate).
  double fragmentation_shape = 0.7;
  // Mean momentum transverse to the jet axis [GeV] (estimate).
  double mean_jt = 0.6 * units::GeV;
  // b hadrons, one in each of the first b_hadrons jets, with momentum
  // fraction uniform in [b_fraction_min, b_fraction_max] (estimate of the hard b fragmentation).
  int b_hadrons = 2;
  double b_fraction_min = 0.6;
  double b_fraction_max = 0.9;
  // b hadron species (estimate from the PDG b-fragmentation fractions, B_s counted with B0).
  double bplus_fraction = 0.45;
  double b0_fraction = 0.45;
  double lambdab_fraction = 0.10;
  // Probability that a light jet carries a D0 or D+ (estimate: W -> cs), and its momentum fraction range.
  double charm_probability = 0.3;
  double c_fraction_min = 0.3;
  double c_fraction_max = 0.7;
  // Multiplicity of the underlying event relative to a minimum-bias collision (estimate).
  double underlying_event_scale = 1.0;

  void validate() const;
};

// Long-lived neutral exotic decaying to a pair of charged particles.
struct ExoticConfig {
  int count_per_event = 2;
  double mass = 50.0 * units::GeV;
  double ctau = 10.0 * units::cm;    // benchmarks span 5-100 cm
  int daughter_pdg_id = pdg::kMuon;  // decays to this particle and its antiparticle
  double mean_pt = 30.0 * units::GeV;  // pT is exponential with this mean (estimate)
  double max_eta = 2.5;                // eta uniform in [-max_eta, max_eta]

  void validate(const ParticleTable& particles) const;
};

// Tabulated Tsallis pT spectrum of one species, sampled by inverting its CDF.
class TsallisSpectrum {
 public:
  TsallisSpectrum(double mass, double n, double temperature, double pt_max = 50.0 * units::GeV);

  // Unnormalised density pT (1 + (mT - m) / (n T))^-n.
  static double density(double pt, double mass, double n, double temperature) noexcept;

  double sample(Rng& rng) const noexcept;
  // Mean pT of the tabulated spectrum [GeV].
  double mean() const noexcept { return mean_; }

 private:
  std::vector<double> pt_;
  std::vector<double> cdf_;
  double mean_ = 0.0;
};

// Appends a primary particle; returns its id.
std::uint32_t add_primary(std::vector<edm::Particle>& particles, std::uint32_t collision,
                          int pdg_id, int charge, const edm::Vector3& vertex,
                          const edm::Vector3& momentum);

class MinimumBiasGenerator {
 public:
  MinimumBiasGenerator(MinimumBiasConfig config, const ParticleTable& particles);

  // Appends the primaries of one collision at `vertex`. The charged
  // multiplicity is scaled by `multiplicity_scale`.
  void generate(std::uint32_t collision, const edm::Vector3& vertex, Rng& rng,
                std::vector<edm::Particle>& particles, double multiplicity_scale = 1.0) const;

  // A charged hadron code (pi, K or p with random sign) from the species mix.
  int sample_charged_species(Rng& rng) const noexcept;
  // pT of a charged hadron of that species from its Tsallis spectrum.
  double sample_pt(int pdg_id, Rng& rng) const noexcept;
  // |eta| from the dN/deta shape, with a random sign.
  double sample_eta(Rng& rng) const noexcept;
  // Mean charged multiplicity of one collision over |eta| < max_eta.
  double mean_charged_multiplicity() const noexcept;

  const MinimumBiasConfig& config() const noexcept { return config_; }

 private:
  const TsallisSpectrum& spectrum(int pdg_id) const noexcept;

  MinimumBiasConfig config_;
  const ParticleTable& particles_;
  double eta_integral_ = 0.0;  // integral of the dN/deta shape (1 at the centre) over both signs
  TsallisSpectrum pion_;
  TsallisSpectrum kaon_;
  TsallisSpectrum proton_;
  TsallisSpectrum pi0_;
  TsallisSpectrum k0s_;
  TsallisSpectrum lambda_;
};

class TtbarGenerator {
 public:
  TtbarGenerator(TtbarConfig config, const MinimumBiasGenerator& minimum_bias,
                 const ParticleTable& particles);

  // Appends the underlying event and the jets of one ttbar-like collision.
  void generate(std::uint32_t collision, const edm::Vector3& vertex, Rng& rng,
                std::vector<edm::Particle>& particles) const;

  const TtbarConfig& config() const noexcept { return config_; }

 private:
  void generate_jet(int jet_index, std::uint32_t collision, const edm::Vector3& vertex, Rng& rng,
                    std::vector<edm::Particle>& particles) const;

  TtbarConfig config_;
  const MinimumBiasGenerator& minimum_bias_;
  const ParticleTable& particles_;
};

// Appends config.count_per_event exotics (code pdg::kExotic) made at `vertex`.
void generate_exotics(const ExoticConfig& config, std::uint32_t collision,
                      const edm::Vector3& vertex, Rng& rng, std::vector<edm::Particle>& particles);

}  // namespace trackpurity::sim
