#include "trackpurity/truth/association.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace trackpurity::truth {

edm::TrackTruth associate_hits(std::span<const std::int32_t> hit_particles) {
  edm::TrackTruth truth;
  if (hit_particles.empty()) {
    return truth;
  }
  // Tracks have a few dozen hits: count by sorting a copy.
  std::vector<std::int32_t> sorted(hit_particles.begin(), hit_particles.end());
  std::sort(sorted.begin(), sorted.end());
  std::int32_t best = -1;
  std::size_t best_count = 0;
  for (std::size_t i = 0; i < sorted.size();) {
    std::size_t j = i;
    while (j < sorted.size() && sorted[j] == sorted[i]) {
      ++j;
    }
    if (sorted[i] >= 0 && j - i > best_count) {
      best = sorted[i];
      best_count = j - i;
    }
    i = j;
  }
  if (best < 0) {
    return truth;
  }
  const std::size_t total = hit_particles.size();
  truth.particle = best;
  truth.shared_fraction = static_cast<float>(static_cast<double>(best_count) / static_cast<double>(total));
  if (total == 3) {
    truth.genuine = best_count == 3;
  } else {
    truth.genuine = static_cast<double>(best_count) > kMinSharedFraction * static_cast<double>(total);
  }
  return truth;
}

std::vector<edm::TrackTruth> associate(const edm::Event& event) {
  std::vector<edm::TrackTruth> truth;
  truth.reserve(event.tracks.size());
  std::vector<std::int32_t> hit_particles;
  for (const edm::Track& track : event.tracks) {
    hit_particles.clear();
    for (const std::uint32_t id : track.hits) {
      hit_particles.push_back(id < event.hits.size() ? event.hits[id].particle : -1);
    }
    truth.push_back(associate_hits(hit_particles));
  }
  const std::vector<std::uint32_t> counts = matched_track_counts(event, truth);
  for (edm::TrackTruth& entry : truth) {
    if (entry.genuine && entry.particle >= 0 &&
        static_cast<std::size_t>(entry.particle) < counts.size()) {
      entry.duplicate = counts[static_cast<std::size_t>(entry.particle)] > 1;
    }
  }
  return truth;
}

std::vector<std::uint32_t> matched_track_counts(const edm::Event& event,
                                                std::span<const edm::TrackTruth> truth) {
  std::size_t size = event.particles.size();
  for (const edm::TrackTruth& entry : truth) {
    if (entry.particle >= 0) {
      size = std::max(size, static_cast<std::size_t>(entry.particle) + 1);
    }
  }
  std::vector<std::uint32_t> counts(size, 0);
  for (const edm::TrackTruth& entry : truth) {
    if (entry.genuine && entry.particle >= 0) {
      ++counts[static_cast<std::size_t>(entry.particle)];
    }
  }
  return counts;
}

std::vector<std::uint8_t> decays_inside(const edm::Event& event, double radius) {
  std::vector<std::uint8_t> flags(event.particles.size(), 0);
  for (const edm::Particle& particle : event.particles) {
    if (particle.parent >= 0 && static_cast<std::size_t>(particle.parent) < flags.size() &&
        particle.process == edm::CreationProcess::kDecay && particle.production_radius() < radius) {
      flags[static_cast<std::size_t>(particle.parent)] = 1;
    }
  }
  return flags;
}

bool ParticleSelection::accepts(const edm::Event& event, const edm::Particle& particle,
                                bool decays_early) const {
  if (decays_early) {
    return false;
  }
  if (charged_only && particle.charge == 0) {
    return false;
  }
  if (signal_only && particle.collision != 0) {
    return false;
  }
  if (particle.pt() < pt_min) {
    return false;
  }
  const double abs_eta = std::abs(particle.eta());
  if (abs_eta < abs_eta_min || abs_eta > abs_eta_max) {
    return false;
  }
  const double radius = particle.production_radius();
  if (radius > max_production_radius || radius < min_production_radius ||
      std::abs(particle.vertex.z) > max_production_z) {
    return false;
  }
  if (!parent_pdg_ids.empty()) {
    if (particle.parent < 0 || static_cast<std::size_t>(particle.parent) >= event.particles.size()) {
      return false;
    }
    const int parent_pdg = std::abs(event.particles[static_cast<std::size_t>(particle.parent)].pdg_id);
    if (std::find(parent_pdg_ids.begin(), parent_pdg_ids.end(), parent_pdg) == parent_pdg_ids.end()) {
      return false;
    }
  }
  return true;
}

ParticleSelection efficiency_selection(double abs_eta_min, double abs_eta_max) {
  ParticleSelection selection;
  selection.abs_eta_min = abs_eta_min;
  selection.abs_eta_max = abs_eta_max;
  return selection;
}

ParticleSelection displaced_selection() {
  ParticleSelection selection;
  selection.signal_only = false;
  selection.min_production_radius = 0.5 * units::cm;
  selection.max_production_radius = 10.0 * units::cm;
  selection.parent_pdg_ids = {310, 3122};  // K0S, Lambda (PDG Monte Carlo numbering)
  return selection;
}

std::vector<std::uint8_t> displaced_origin_flags(const edm::Event& event, double min_radius,
                                                 double max_radius) {
  std::vector<std::uint8_t> flags(event.track_truth.size(), 0);
  for (std::size_t track = 0; track < event.track_truth.size(); ++track) {
    const edm::TrackTruth& truth = event.track_truth[track];
    if (!truth.genuine || truth.particle < 0 ||
        static_cast<std::size_t>(truth.particle) >= event.particles.size()) {
      continue;
    }
    const double radius = event.particles[static_cast<std::size_t>(truth.particle)].production_radius();
    flags[track] = radius >= min_radius && radius <= max_radius ? 1 : 0;
  }
  return flags;
}

RateCounts& RateCounts::operator+=(const RateCounts& other) noexcept {
  selected_particles += other.selected_particles;
  matched_particles += other.matched_particles;
  tracks += other.tracks;
  associated_tracks += other.associated_tracks;
  duplicate_tracks += other.duplicate_tracks;
  pileup_tracks += other.pileup_tracks;
  return *this;
}

namespace {
double ratio(std::uint64_t numerator, std::uint64_t denominator) noexcept {
  return denominator == 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}
}  // namespace

double RateCounts::efficiency() const noexcept { return ratio(matched_particles, selected_particles); }
double RateCounts::fake_rate() const noexcept {
  return tracks == 0 ? 0.0 : 1.0 - ratio(associated_tracks, tracks);
}
double RateCounts::duplicate_rate() const noexcept { return ratio(duplicate_tracks, tracks); }
double RateCounts::pileup_rate() const noexcept { return ratio(pileup_tracks, tracks); }

RateCounts count_rates(const edm::Event& event, std::span<const edm::TrackTruth> truth,
                       const ParticleSelection& selection,
                       const std::function<bool(const edm::Track&)>& track_filter) {
  RateCounts counts;
  std::vector<std::uint32_t> matched(event.particles.size(), 0);
  for (std::size_t i = 0; i < event.tracks.size() && i < truth.size(); ++i) {
    if (track_filter && !track_filter(event.tracks[i])) {
      continue;
    }
    const edm::TrackTruth& entry = truth[i];
    ++counts.tracks;
    if (!entry.genuine) {
      continue;
    }
    ++counts.associated_tracks;
    counts.duplicate_tracks += entry.duplicate ? 1 : 0;
    if (entry.particle >= 0 && static_cast<std::size_t>(entry.particle) < event.particles.size()) {
      ++matched[static_cast<std::size_t>(entry.particle)];
      counts.pileup_tracks += event.particles[static_cast<std::size_t>(entry.particle)].collision != 0 ? 1 : 0;
    }
  }
  const std::vector<std::uint8_t> early = decays_inside(event, kEarlyDecayRadius);
  for (const edm::Particle& particle : event.particles) {
    if (particle.id >= event.particles.size() ||
        !selection.accepts(event, particle, early[particle.id] != 0)) {
      continue;
    }
    ++counts.selected_particles;
    counts.matched_particles += matched[particle.id] > 0 ? 1 : 0;
  }
  return counts;
}

}  // namespace trackpurity::truth
