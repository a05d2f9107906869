#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "trackpurity/edm/event.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/sim/decays.hpp"
#include "trackpurity/sim/generator.hpp"
#include "trackpurity/sim/particle_data.hpp"
#include "trackpurity/sim/transport.hpp"

// Full events: a signal collision (index 0) and Poisson pileup, generated
// and transported through the tracker, one independent random stream per event.

namespace trackpurity::sim {

// What the signal collision (index 0) is.
enum class Process : std::uint8_t {
  kMinimumBias,  // one more minimum-bias collision
  kTtbar,        // a ttbar-like collision: jets with b and c hadrons on an underlying event
  kDisplaced,    // ttbar plus ExoticConfig::count_per_event long-lived exotics
};

std::string_view to_string(Process process) noexcept;
// The process named "minbias", "ttbar" or "displaced", or nothing.
std::optional<Process> process_from_name(std::string_view name) noexcept;

struct SimulationConfig {
  Process process = Process::kTtbar;
  // Mean number of pileup collisions added to the signal collision (Poisson);
  // 200 at the HL-LHC design luminosity.
  double pileup = 200.0;
  BeamConfig beam;
  MinimumBiasConfig minimum_bias;
  TtbarConfig ttbar;
  ExoticConfig exotic;  // used by the displaced process only
  PropagatorConfig propagator;
  DigitizerConfig digitizer;

  // Throws ConfigError naming the first invalid member.
  void validate() const;
};

// Every member of the configuration, with units in the key names.
nlohmann::json to_json(const SimulationConfig& config);

class EventSimulator {
 public:
  // Keeps a reference to `geometry`, which must outlive the simulator.
  // Throws ConfigError for an invalid configuration.
  EventSimulator(const geometry::Geometry& geometry, SimulationConfig config,
                 std::uint64_t run_seed);

  // Event `event_index` of the run. Depends only on the geometry, the
  // configuration, the run seed and the index. Thread-safe.
  edm::Event simulate(std::uint64_t event_index, TransportCounters* counters = nullptr) const;

  const SimulationConfig& config() const noexcept { return config_; }
  std::uint64_t run_seed() const noexcept { return run_seed_; }

 private:
  SimulationConfig config_;
  std::uint64_t run_seed_ = 0;
  ParticleTable particles_;
  DecayTable decays_;
  MinimumBiasGenerator minimum_bias_;
  TtbarGenerator ttbar_;
  Transport transport_;
};

// Receives each simulated event with its counters, in event order.
using EventConsumer = std::function<void(edm::Event&&, const TransportCounters&)>;

// Simulates events [first, first + count) on up to `threads` oneTBB threads
// (0: all available) and passes them to `consumer` in event order on the
// calling thread, so that the consumer may write files with a library that is
// not thread-safe. Events are made in batches of a few per thread, so memory
// stays bounded.
void simulate_in_order(const EventSimulator& simulator, std::uint64_t first, std::uint64_t count,
                       int threads, const EventConsumer& consumer);

}  // namespace trackpurity::sim
