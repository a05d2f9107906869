#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/event.hpp"

// Truth association by shared hits (CMS QuickTrackAssociatorByHits) and the
// MultiTrackValidator rates built on it.
namespace trackpurity::truth {

// Fraction of a track's valid hits a particle must exceed to be associated
// (QuickTrackAssociatorByHits, Quality_SimToReco = 0.75, strict).
inline constexpr double kMinSharedFraction = 0.75;

// Association of one track from the truth links of its valid hits: the
// particle with the most hits (the lowest id on ties), its fraction, and
// genuine when that fraction exceeds 0.75 (all 3 hits for a 3-hit track).
// Hits without a particle (noise) count for no particle. The duplicate flag
// is left false; associate() sets it.
edm::TrackTruth associate_hits(std::span<const std::int32_t> hit_particles);

// Associates every track of `event` and sets the duplicate flags: a genuine
// track is a duplicate when its particle is matched by more than one genuine
// track. Hit ids outside the event's hits count as noise.
std::vector<edm::TrackTruth> associate(const edm::Event& event);

// Number of genuine tracks matched to each particle (indexed by particle id).
std::vector<std::uint32_t> matched_track_counts(const edm::Event& event,
                                                std::span<const edm::TrackTruth> truth);

// A particle selection for efficiencies (MultiTrackValidator
// TrackingParticleSelectionsForEfficiency defaults, except the |eta| range).
struct ParticleSelection {
  double pt_min = 0.9 * units::GeV;
  double abs_eta_min = 0.0;
  double abs_eta_max = 2.4;
  double max_production_radius = 2.5 * units::cm;
  double max_production_z = 30.0 * units::cm;
  bool signal_only = true;   // only particles of collision 0
  bool charged_only = true;
  // With a nonzero list, only particles whose parent has one of these PDG
  // ids (sign ignored) pass, and the radius cut becomes [min, max].
  std::vector<int> parent_pdg_ids;
  double min_production_radius = 0.0;

  // `decays_early`: the particle decays inside the beam pipe (see
  // decays_inside()), so it crosses no tracker layer. Such particles never pass.
  bool accepts(const edm::Event& event, const edm::Particle& particle, bool decays_early) const;
};

// Flags per particle id: the particle has decay daughters produced within
// `radius` of the beam line. Generator-level b and c hadrons and taus have
// no hits and, as in CMS, are no tracking particles.
std::vector<std::uint8_t> decays_inside(const edm::Event& event, double radius);

// Radius inside which a decay removes a particle from the efficiency
// denominator: the beam pipe of the Phase-2-like layout.
inline constexpr double kEarlyDecayRadius = 2.2 * units::cm;

// The selection of the CMS tracking efficiency: charged particles of the
// signal collision with pT > 0.9 GeV, |eta| in [eta_min, eta_max], produced
// within 2.5 cm of the beam line and |z| < 30 cm.
ParticleSelection efficiency_selection(double abs_eta_min, double abs_eta_max);

// Charged daughters of K0S and Lambda produced 0.5-10 cm from the beam line,
// pT > 0.9 GeV, |eta| < 2.4, from any collision.
ParticleSelection displaced_selection();

// Flags per track of `event`: 1 when the track is genuine and its particle was
// produced between `min_radius` and `max_radius` from the beam line. These are
// the genuine tracks of displaced decays and conversions whatever their dxy.
// Needs the event's particles and track truth. A track whose particle id is
// outside the particle table gets 0.
std::vector<std::uint8_t> displaced_origin_flags(const edm::Event& event, double min_radius,
                                                 double max_radius);

// Counts summed over events; the rates are ratios of them.
struct RateCounts {
  std::uint64_t selected_particles = 0;
  std::uint64_t matched_particles = 0;   // selected particles with at least one genuine track
  std::uint64_t tracks = 0;
  std::uint64_t associated_tracks = 0;   // genuine tracks
  std::uint64_t duplicate_tracks = 0;
  std::uint64_t pileup_tracks = 0;       // genuine tracks whose particle is from a pileup collision

  RateCounts& operator+=(const RateCounts& other) noexcept;
  // Ratios, 0 when the denominator is 0.
  double efficiency() const noexcept;
  double fake_rate() const noexcept;       // 1 - associated / all tracks
  double duplicate_rate() const noexcept;  // duplicate tracks / all tracks
  double pileup_rate() const noexcept;     // pileup-associated tracks / all tracks
};

// Counts of one event for the tracks that pass `track_filter` (all tracks
// when empty) and the particles of `selection`.
RateCounts count_rates(const edm::Event& event, std::span<const edm::TrackTruth> truth,
                       const ParticleSelection& selection,
                       const std::function<bool(const edm::Track&)>& track_filter = {});

}  // namespace trackpurity::truth
