#include "trackpurity/sim/event_simulator.hpp"

#include <algorithm>
#include <vector>

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::sim {

namespace {

ParticleTable table_with_exotic(const ExoticConfig& exotic) {
  ParticleTable table = ParticleTable::standard();
  table.add({pdg::kExotic, "exotic", exotic.mass, 0, exotic.ctau, true});
  return table;
}

DecayTable decays_with_exotic(const ExoticConfig& exotic) {
  DecayTable table = DecayTable::standard();
  table.set(pdg::kExotic, {{1.0, {exotic.daughter_pdg_id, -exotic.daughter_pdg_id}}});
  return table;
}

SimulationConfig validated(SimulationConfig config) {
  config.validate();
  return config;
}

}  // namespace

std::string_view to_string(Process process) noexcept {
  switch (process) {
    case Process::kMinimumBias:
      return "minbias";
    case Process::kTtbar:
      return "ttbar";
    case Process::kDisplaced:
      return "displaced";
  }
  return "unknown";
}

std::optional<Process> process_from_name(std::string_view name) noexcept {
  for (const Process process : {Process::kMinimumBias, Process::kTtbar, Process::kDisplaced}) {
    if (to_string(process) == name) {
      return process;
    }
  }
  return std::nullopt;
}

void SimulationConfig::validate() const {
  if (!(pileup >= 0.0)) {
    throw ConfigError("pileup must be >= 0, found " + std::to_string(pileup));
  }
  beam.validate();
  minimum_bias.validate();
  ttbar.validate();
  exotic.validate(ParticleTable::standard());
  propagator.validate();
}

nlohmann::json to_json(const SimulationConfig& config) {
  using nlohmann::json;
  const MinimumBiasConfig& mb = config.minimum_bias;
  const TtbarConfig& tt = config.ttbar;
  const ExoticConfig& ex = config.exotic;
  const PropagatorConfig& pr = config.propagator;
  return json{
      {"process", std::string(to_string(config.process))},
      {"pileup_mean", config.pileup},
      {"beam",
       {{"beam_spot_cm", {config.beam.beam_spot.x, config.beam.beam_spot.y, config.beam.beam_spot.z}},
        {"sigma_x_cm", config.beam.sigma_x},
        {"sigma_y_cm", config.beam.sigma_y},
        {"sigma_z_cm", config.beam.sigma_z}}},
      {"minimum_bias",
       {{"dnch_deta", mb.dnch_deta},
        {"plateau_eta", mb.plateau_eta},
        {"max_eta", mb.max_eta},
        {"edge_fraction", mb.edge_fraction},
        {"multiplicity_nbd_k", mb.multiplicity_nbd_k},
        {"tsallis_n", mb.tsallis_n},
        {"tsallis_t_GeV", mb.tsallis_t},
        {"pion_fraction", mb.pion_fraction},
        {"kaon_fraction", mb.kaon_fraction},
        {"proton_fraction", mb.proton_fraction},
        {"k0s_per_unit_eta", mb.k0s_per_unit_eta},
        {"lambda_per_unit_eta", mb.lambda_per_unit_eta},
        {"pi0_per_charged_pion", mb.pi0_per_charged_pion}}},
      {"ttbar",
       {{"min_jets", tt.min_jets},
        {"max_jets", tt.max_jets},
        {"jet_pt_min_GeV", tt.jet_pt_min},
        {"jet_pt_max_GeV", tt.jet_pt_max},
        {"jet_pt_power", tt.jet_pt_power},
        {"jet_max_eta", tt.jet_max_eta},
        {"min_charged_per_jet", tt.min_charged_per_jet},
        {"max_charged_per_jet", tt.max_charged_per_jet},
        {"charged_fraction", tt.charged_fraction},
        {"photon_fraction", tt.photon_fraction},
        {"fragmentation_shape", tt.fragmentation_shape},
        {"mean_jt_GeV", tt.mean_jt},
        {"b_hadrons", tt.b_hadrons},
        {"b_fraction_min", tt.b_fraction_min},
        {"b_fraction_max", tt.b_fraction_max},
        {"bplus_fraction", tt.bplus_fraction},
        {"b0_fraction", tt.b0_fraction},
        {"lambdab_fraction", tt.lambdab_fraction},
        {"charm_probability", tt.charm_probability},
        {"c_fraction_min", tt.c_fraction_min},
        {"c_fraction_max", tt.c_fraction_max},
        {"underlying_event_scale", tt.underlying_event_scale}}},
      {"exotic",
       {{"count_per_event", config.process == Process::kDisplaced ? ex.count_per_event : 0},
        {"mass_GeV", ex.mass},
        {"ctau_cm", ex.ctau},
        {"daughter_pdg_id", ex.daughter_pdg_id},
        {"mean_pt_GeV", ex.mean_pt},
        {"max_eta", ex.max_eta}}},
      {"propagator",
       {{"material_effects", pr.material_effects},
        {"photon_conversions", pr.photon_conversions},
        {"min_pt_GeV", pr.min_pt},
        {"max_half_turns", pr.max_half_turns},
        {"max_radius_cm", pr.max_radius},
        {"max_abs_z_cm", pr.max_abs_z},
        {"max_incidence_factor", pr.max_incidence_factor}}},
      {"digitizer",
       {{"smear", config.digitizer.smear},
        {"apply_hit_efficiency", config.digitizer.apply_hit_efficiency}}},
  };
}

EventSimulator::EventSimulator(const geometry::Geometry& geometry, SimulationConfig config,
                               std::uint64_t run_seed)
    : config_(validated(config)),
      run_seed_(run_seed),
      particles_(table_with_exotic(config_.exotic)),
      decays_(decays_with_exotic(config_.exotic)),
      minimum_bias_(config_.minimum_bias, particles_),
      ttbar_(config_.ttbar, minimum_bias_, particles_),
      transport_(geometry, particles_, decays_, config_.propagator, config_.digitizer) {}

edm::Event EventSimulator::simulate(std::uint64_t event_index, TransportCounters* counters) const {
  Rng rng(event_seed(run_seed_, event_index));
  edm::Event event;
  event.number = event_index;
  const BeamConfig& beam = config_.beam;
  event.beam_spot.position = beam.beam_spot;
  event.beam_spot.sigma_x = beam.sigma_x;
  event.beam_spot.sigma_y = beam.sigma_y;
  event.beam_spot.sigma_z = beam.sigma_z;

  // 1. Collisions: the signal (index 0) and Poisson pileup, each at its own vertex.
  const auto collisions = static_cast<std::uint32_t>(1 + rng.poisson(config_.pileup));
  event.collisions = collisions;
  event.particles.reserve(static_cast<std::size_t>(collisions) * 140);
  for (std::uint32_t collision = 0; collision < collisions; ++collision) {
    const edm::Vector3 vertex{beam.beam_spot.x + beam.sigma_x * rng.gaussian(),
                              beam.beam_spot.y + beam.sigma_y * rng.gaussian(),
                              beam.beam_spot.z + beam.sigma_z * rng.gaussian()};
    if (collision > 0 || config_.process == Process::kMinimumBias) {
      minimum_bias_.generate(collision, vertex, rng, event.particles);
      continue;
    }
    ttbar_.generate(collision, vertex, rng, event.particles);
    if (config_.process == Process::kDisplaced) {
      generate_exotics(config_.exotic, collision, vertex, rng, event.particles);
    }
  }

  // 2. Detector simulation.
  transport_.run(event, rng, counters);
  return event;
}

void simulate_in_order(const EventSimulator& simulator, std::uint64_t first, std::uint64_t count,
                       int threads, const EventConsumer& consumer) {
  const int concurrency = threads > 0 ? threads : tbb::this_task_arena::max_concurrency();
  tbb::task_arena arena(concurrency);
  const std::uint64_t batch_size = static_cast<std::uint64_t>(concurrency) * 2;
  std::vector<edm::Event> events;
  std::vector<TransportCounters> counters;
  for (std::uint64_t batch_start = 0; batch_start < count; batch_start += batch_size) {
    const std::uint64_t batch = std::min(batch_size, count - batch_start);
    events.assign(batch, edm::Event{});
    counters.assign(batch, TransportCounters{});
    arena.execute([&] {
      tbb::parallel_for(std::uint64_t{0}, batch, [&](std::uint64_t i) {
        events[i] = simulator.simulate(first + batch_start + i, &counters[i]);
      });
    });
    for (std::uint64_t i = 0; i < batch; ++i) {
      consumer(std::move(events[i]), counters[i]);
    }
  }
}

}  // namespace trackpurity::sim
