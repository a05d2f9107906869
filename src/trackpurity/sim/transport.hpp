#pragma once

#include <cstdint>

#include "trackpurity/edm/event.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/sim/decays.hpp"
#include "trackpurity/sim/digitizer.hpp"
#include "trackpurity/sim/particle_data.hpp"
#include "trackpurity/sim/propagator.hpp"
#include "trackpurity/sim/random.hpp"

// Detector simulation of a whole event: every particle is propagated, its
// decay and conversion products are appended and propagated in turn, and
// the crossings of active modules become hits.

namespace trackpurity::sim {

// Counters of one or more events, for the end-of-run summary.
struct TransportCounters {
  std::uint64_t particles = 0;            // particles in the events
  std::uint64_t propagated = 0;           // particles followed through the tracker
  std::uint64_t crossings = 0;            // surface crossings, sensitive and passive
  std::uint64_t hits = 0;
  std::uint64_t inactive_module_crossings = 0;  // crossings of inactive modules (no hit)
  std::uint64_t inefficiency_losses = 0;  // crossings of active modules without a hit
  std::uint64_t decays = 0;               // decays in flight and prompt decays (pi0)
  std::uint64_t conversions = 0;          // photon conversions
  std::uint64_t loopers_stopped = 0;      // stopped at PropagatorConfig::max_half_turns
  std::uint64_t below_min_pt = 0;         // charged particles not followed or stopped below min_pt

  void add(const TransportCounters& other) noexcept;
};

class Transport {
 public:
  // Keeps references to the geometry and tables, which must outlive it.
  Transport(const geometry::Geometry& geometry, const ParticleTable& particles,
            const DecayTable& decays, PropagatorConfig propagator, DigitizerConfig digitizer);

  // Propagates every particle of `event` in index order, appending the
  // products of decays (process kDecay, or kPrimary for prompt pi0 decays)
  // and photon conversions (kConversion) to event.particles, and replaces
  // event.hits by the hits, ordered by module id and, within a module, by
  // particle id and crossing order, numbered from 0.
  void run(edm::Event& event, Rng& rng, TransportCounters* counters = nullptr) const;

  const Propagator& propagator() const noexcept { return propagator_; }
  const Digitizer& digitizer() const noexcept { return digitizer_; }
  const ParticleTable& particles() const noexcept { return particles_; }

 private:
  const ParticleTable& particles_;
  const DecayTable& decays_;
  Propagator propagator_;
  Digitizer digitizer_;
};

}  // namespace trackpurity::sim
