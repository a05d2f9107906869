#include "trackpurity/reco/reconstruction.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <numbers>

#include "trackpurity/core/logging.hpp"

namespace trackpurity::reco {

namespace {

void validate_finding(const TrackFindingConfig& config, const std::string& name) {
  if (config.max_branches < 1 || config.max_hits_per_layer < 1) {
    throw ConfigError(name + ".max_branches and max_hits_per_layer must be at least 1");
  }
  if (!(config.max_chi2 > 0.0)) {
    throw ConfigError(name + ".max_chi2 must be positive, found " + std::to_string(config.max_chi2));
  }
  if (config.max_consecutive_missing < 0 || config.min_hits < 3 || config.max_steps < 1) {
    throw ConfigError(name + ": max_consecutive_missing must be >= 0, min_hits >= 3 and max_steps >= 1");
  }
  if (!(config.max_chi2_per_ndof > 0.0)) {
    throw ConfigError(name + ".max_chi2_per_ndof must be positive, found " +
                      std::to_string(config.max_chi2_per_ndof));
  }
}

// Search window of a predicted state on its surface: azimuth and the
// binned coordinate (z on cylinders, r on disks) with half widths.
struct Window {
  double phi;
  double phi_half_width;
  double coordinate;
  double coordinate_half_width;
};

Window search_window(const BoundState& state, double sigma_u, double sigma_v, double n_sigma) {
  Window window{};
  const Matrix5& c = state.covariance;
  if (state.frame.shape == SurfaceShape::kCylinder) {
    const double radius = state.frame.radius;
    window.phi = state.parameters[eLoc0] / radius;
    window.phi_half_width = n_sigma * std::sqrt(c(eLoc0, eLoc0) + sigma_u * sigma_u) / radius;
    window.coordinate = state.parameters[eLoc1];
    window.coordinate_half_width = n_sigma * std::sqrt(c(eLoc1, eLoc1) + sigma_v * sigma_v);
  } else {
    const double x = state.parameters[eLoc0];
    const double y = state.parameters[eLoc1];
    const double r = std::max(std::hypot(x, y), 1e-3);
    const double spread = std::sqrt(std::max(c(eLoc0, eLoc0), c(eLoc1, eLoc1)));
    window.phi = std::atan2(y, x);
    window.phi_half_width = n_sigma * std::hypot(spread, sigma_u) / r;
    window.coordinate = r;
    window.coordinate_half_width = n_sigma * std::hypot(spread, sigma_v);
  }
  return window;
}

}  // namespace

void VertexFinderConfig::validate() const {
  if (!(max_gap > 0.0) || min_tracks < 1) {
    throw ConfigError("vertex finder max_gap must be positive and min_tracks at least 1");
  }
}

ReconstructionConfig ReconstructionConfig::defaults() {
  ReconstructionConfig config;
  config.prompt_seeding.max_d0 = 0.1 * units::cm;
  config.displaced_seeding.layers = SeedingLayers::kOuterBarrel;
  config.displaced_seeding.beam_constraint = false;
  config.displaced_seeding.max_d0 = 5.0 * units::cm;
  config.displaced_seeding.max_z0 = 30.0 * units::cm;
  config.displaced_seeding.start_layers = 2;
  config.displaced_seeding.skip_layers = false;
  config.displaced_seeding.rz_tolerance = 0.1 * units::cm;
  config.displaced_seeding.confirmation_surfaces = 3;
  config.displaced_seeding.confirmation_hits = 2;
  config.forward_displaced_seeding = config.displaced_seeding;
  config.forward_displaced_seeding.layers = SeedingLayers::kPixelDisks;
  config.forward_displaced_seeding.max_d0 = 1.0 * units::cm;
  config.displaced_finding.min_hits = 6;
  config.prompt_finding.max_chi2_per_ndof = 20.0;
  config.displaced_finding.max_chi2_per_ndof = 10.0;
  return config;
}

void ReconstructionConfig::validate() const {
  prompt_seeding.validate();
  displaced_seeding.validate();
  forward_displaced_seeding.validate();
  validate_finding(prompt_finding, "prompt_finding");
  validate_finding(displaced_finding, "displaced_finding");
  hit_index.validate();
  vertex_finder.validate();
  if (max_shared_fraction < 0.0 || max_shared_fraction > 1.0) {
    throw ConfigError("max_shared_fraction must be in [0, 1], found " +
                      std::to_string(max_shared_fraction));
  }
}

Reconstructor::Reconstructor(const geometry::Geometry& geometry, ReconstructionConfig config)
    : geometry_(&geometry),
      config_((config.validate(), std::move(config))),
      detector_(geometry),
      index_(geometry, config_.hit_index),
      prompt_seeder_(detector_, config_.prompt_seeding),
      displaced_seeder_(detector_, config_.displaced_seeding),
      forward_displaced_seeder_(detector_, config_.forward_displaced_seeding) {}

bool Reconstructor::follow(std::span<const edm::Hit> hits, const Seed& seed,
                           const TrackFindingConfig& finding, Candidate& result) {
  struct Branch {
    BoundState state;
    Vector6 free;
    std::vector<std::uint32_t> hits;
    std::vector<edm::HitPatternEntry> pattern;
    double chi2 = 0.0;
    int valid = 0;
    int missing_run = 0;
    int surface = -1;
    int next_seed = 1;
  };
  auto better = [](const Branch& a, const Branch& b) {
    return a.valid != b.valid ? a.valid > b.valid : a.chi2 < b.chi2;
  };
  const double mass = config_.fit.mass;
  const double n_sigma = std::sqrt(finding.max_chi2);

  // 1. Initial state at the first seed hit.
  const edm::Hit& first = hits[seed.hits[0]];
  Branch start;
  start.state.frame = detector_.frame(first.layer_id);
  start.state.parameters = free_to_bound(start.state.frame, seed.free);
  const double loc_variance = first.sigma_v * first.sigma_v + first.sigma_u * first.sigma_u;
  const double qop_sigma = 0.2 * std::abs(seed.free[eFreeQOverP]);
  start.state.covariance.setZero();
  start.state.covariance.diagonal() << loc_variance, loc_variance, 0.02 * 0.02, 0.02 * 0.02,
      qop_sigma * qop_sigma;
  double chi2 = 0.0;
  start.state = kalman_update(start.state, make_measurement(first, start.state.frame), chi2);
  start.free = bound_to_free(start.state.frame, start.state.parameters);
  start.hits.push_back(seed.hits[0]);
  start.pattern.push_back({first.subdetector, first.layer, edm::HitType::kValid});
  start.valid = 1;
  start.surface = first.layer_id;

  std::vector<Branch> branches{start};
  std::vector<Branch> next;
  std::vector<Branch> finished;
  std::vector<std::pair<double, std::uint32_t>> compatible;

  // 2. Layer by layer: each branch moves to the next surface it crosses and
  //    continues with each compatible hit, with a missing hit, or through an
  //    inactive module.
  for (int step = 0; step < finding.max_steps && !branches.empty(); ++step) {
    next.clear();
    for (Branch& branch : branches) {
      const auto crossing = detector_.next_crossing(branch.free, branch.surface);
      if (!crossing) {
        finished.push_back(std::move(branch));
        continue;
      }
      const geometry::Surface& surface = detector_.surface(crossing->surface_id);
      const SurfaceFrame& frame = detector_.frame(crossing->surface_id);
      auto propagation = propagate_with_material(detector_, branch.state, frame,
                                                 surface.x_over_x0, mass, Direction::kForward);
      if (!propagation) {
        finished.push_back(std::move(branch));
        continue;
      }
      const Vector6& free = propagation->free;
      // Loopers are followed up to their largest radius only.
      if (free[eFreeX] * std::cos(free[eFreePhi]) + free[eFreeY] * std::sin(free[eFreePhi]) < 0.0) {
        finished.push_back(std::move(branch));
        continue;
      }
      branch.state = propagation->state;
      branch.free = free;
      branch.surface = crossing->surface_id;
      const auto module = geometry_->locate(surface, free_position(free));
      if (!module) {
        next.push_back(std::move(branch));
        continue;
      }
      if (!module->active) {
        branch.pattern.push_back({surface.subdetector, surface.layer, edm::HitType::kInactive});
        next.push_back(std::move(branch));
        continue;
      }

      // A seed hit on this surface is taken as it is.
      if (branch.next_seed < 3 && hits[seed.hits[static_cast<std::size_t>(branch.next_seed)]].layer_id ==
                                      crossing->surface_id) {
        const std::uint32_t id = seed.hits[static_cast<std::size_t>(branch.next_seed)];
        double increment = 0.0;
        branch.state = kalman_update(branch.state, make_measurement(hits[id], frame), increment);
        // A seed whose own hits disagree with the helix through them (a
        // tangent or kinked triplet) is dropped.
        if (increment > finding.max_chi2) {
          continue;
        }
        branch.free = bound_to_free(branch.state.frame, branch.state.parameters);
        branch.chi2 += increment;
        branch.hits.push_back(id);
        branch.pattern.push_back({surface.subdetector, surface.layer, edm::HitType::kValid});
        ++branch.valid;
        ++branch.next_seed;
        branch.missing_run = 0;
        next.push_back(std::move(branch));
        continue;
      }

      // Compatible hits by predicted chi2.
      const geometry::SensorSpec& sensor = geometry_->sensor(module->sensor);
      const Window window = search_window(branch.state, sensor.sigma_u, sensor.sigma_v, n_sigma);
      compatible.clear();
      index_.for_each(crossing->surface_id, window.phi, window.phi_half_width,
                      window.coordinate - window.coordinate_half_width,
                      window.coordinate + window.coordinate_half_width, [&](std::uint32_t id) {
                        if (masked_[id] != 0) {
                          return;
                        }
                        const double candidate_chi2 =
                            predicted_chi2(branch.state, make_measurement(hits[id], frame));
                        if (candidate_chi2 <= finding.max_chi2) {
                          compatible.emplace_back(candidate_chi2, id);
                        }
                      });
      if (compatible.empty()) {
        branch.pattern.push_back({surface.subdetector, surface.layer, edm::HitType::kMissing});
        ++branch.missing_run;
        if (branch.missing_run > finding.max_consecutive_missing) {
          finished.push_back(std::move(branch));
        } else {
          next.push_back(std::move(branch));
        }
        continue;
      }
      std::sort(compatible.begin(), compatible.end());
      const std::size_t take =
          std::min(compatible.size(), static_cast<std::size_t>(finding.max_hits_per_layer));
      for (std::size_t i = 0; i < take; ++i) {
        Branch extended = i + 1 == take ? std::move(branch) : branch;
        const std::uint32_t id = compatible[i].second;
        double increment = 0.0;
        extended.state = kalman_update(extended.state, make_measurement(hits[id], frame), increment);
        extended.free = bound_to_free(extended.state.frame, extended.state.parameters);
        extended.chi2 += increment;
        extended.hits.push_back(id);
        extended.pattern.push_back({surface.subdetector, surface.layer, edm::HitType::kValid});
        ++extended.valid;
        extended.missing_run = 0;
        next.push_back(std::move(extended));
      }
    }
    std::sort(next.begin(), next.end(), better);
    if (next.size() > static_cast<std::size_t>(finding.max_branches)) {
      next.resize(static_cast<std::size_t>(finding.max_branches));
    }
    std::swap(branches, next);
  }
  for (Branch& branch : branches) {
    finished.push_back(std::move(branch));
  }
  if (finished.empty()) {
    return false;
  }

  // 3. The best branch: most valid hits, then lowest chi2.
  const auto best = std::min_element(finished.begin(), finished.end(), better);
  if (best->valid < finding.min_hits || best->next_seed < 3) {
    return false;
  }
  const double ndof = std::max(2.0 * best->valid - 5.0, 1.0);
  if (best->chi2 / ndof > finding.max_chi2_per_ndof) {
    return false;
  }
  result.hits = std::move(best->hits);
  result.pattern = std::move(best->pattern);
  result.chi2 = best->chi2;
  result.valid = best->valid;
  return true;
}

void Reconstructor::run_iteration(std::span<const edm::Hit> hits,
                                  std::span<const TripletSeeder* const> seeders,
                                  const TrackFindingConfig& finding, edm::Iteration iteration,
                                  std::vector<Candidate>& candidates,
                                  ReconstructionCounters& counters, std::uint64_t event_number) {
  auto logger = logging::get("reco");
  const char* name = iteration == edm::Iteration::kPrompt ? "prompt" : "displaced";
  const auto start = std::chrono::steady_clock::now();
  std::vector<Seed> seeds;
  SeedingCounters seeding;
  for (const TripletSeeder* seeder : seeders) {
    const std::size_t before = seeds.size();
    const SeedingCounters found = seeder->find(hits, index_, masked_, seeds);
    seeding.pairs += found.pairs;
    seeding.triplets += found.triplets;
    seeding.unconfirmed += found.unconfirmed;
    if (found.truncated) {
      ++counters.truncated_seedings;
      logger->warn("event {}: {} seeding stopped at {} seeds and {} hit pairs (max_seeds {}, max_pairs {})",
                   event_number, name, seeds.size() - before, found.pairs, seeder->config().max_seeds,
                   seeder->config().max_pairs);
    }
  }
  counters.seeds += seeds.size();
  if (iteration == edm::Iteration::kDisplaced) {
    counters.displaced_seeds += seeds.size();
  }
  const auto seeded = std::chrono::steady_clock::now();
  const std::size_t first_candidate = candidates.size();
  std::fill(used_.begin(), used_.end(), 0);
  for (const Seed& seed : seeds) {
    if (config_.skip_used_seeds && used_[seed.hits[0]] != 0 && used_[seed.hits[1]] != 0 &&
        used_[seed.hits[2]] != 0) {
      continue;
    }
    Candidate candidate;
    if (!follow(hits, seed, finding, candidate)) {
      continue;
    }
    candidate.iteration = iteration;
    candidate.seed_free = seed.free;
    for (const std::uint32_t id : candidate.hits) {
      used_[id] = 1;
    }
    candidates.push_back(std::move(candidate));
    ++counters.candidates;
  }
  const auto found = std::chrono::steady_clock::now();
  logger->debug(
      "event {}: {} iteration: {} pairs, {} triplets, {} unconfirmed, {} seeds in {:.3f} s; {} "
      "candidates in {:.3f} s",
      event_number, name, seeding.pairs,
      seeding.triplets, seeding.unconfirmed, seeds.size(),
      std::chrono::duration<double>(seeded - start).count(), candidates.size() - first_candidate,
      std::chrono::duration<double>(found - seeded).count());
}

std::vector<std::size_t> resolve_ambiguities(std::span<const std::vector<std::uint32_t>> hit_lists,
                                             std::span<const double> chi2, double max_shared_fraction,
                                             std::size_t hit_count) {
  std::vector<std::size_t> order(hit_lists.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    order[i] = i;
  }
  auto normalized = [&](std::size_t i) {
    const double ndof = std::max(2.0 * static_cast<double>(hit_lists[i].size()) - 5.0, 1.0);
    return chi2[i] / ndof;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (hit_lists[a].size() != hit_lists[b].size()) {
      return hit_lists[a].size() > hit_lists[b].size();
    }
    return normalized(a) < normalized(b);
  });

  // Owner of each hit among the kept candidates; a hit keeps its first owner.
  constexpr std::uint32_t kNone = 0xFFFFFFFFU;
  std::vector<std::uint32_t> owner(hit_count, kNone);
  std::vector<std::size_t> kept;
  std::vector<std::pair<std::uint32_t, int>> shared;
  for (const std::size_t candidate : order) {
    shared.clear();
    for (const std::uint32_t hit : hit_lists[candidate]) {
      if (hit >= hit_count || owner[hit] == kNone) {
        continue;
      }
      auto found = std::find_if(shared.begin(), shared.end(),
                                [&](const auto& entry) { return entry.first == owner[hit]; });
      if (found == shared.end()) {
        shared.emplace_back(owner[hit], 1);
      } else {
        ++found->second;
      }
    }
    int most_shared = 0;
    for (const auto& entry : shared) {
      most_shared = std::max(most_shared, entry.second);
    }
    const double fraction =
        hit_lists[candidate].empty() ? 0.0
                                     : static_cast<double>(most_shared) /
                                           static_cast<double>(hit_lists[candidate].size());
    if (fraction > max_shared_fraction) {
      continue;
    }
    kept.push_back(candidate);
    for (const std::uint32_t hit : hit_lists[candidate]) {
      if (hit < hit_count && owner[hit] == kNone) {
        owner[hit] = static_cast<std::uint32_t>(candidate);
      }
    }
  }
  return kept;
}

std::vector<edm::Vertex> find_vertices(std::span<const edm::Track> tracks,
                                       const edm::BeamSpot& beam_spot,
                                       const VertexFinderConfig& config) {
  struct Entry {
    double z0;
    double weight;
    double pt;
  };
  std::vector<Entry> entries;
  for (const edm::Track& track : tracks) {
    const double dz_error = track.dz_error();
    if (track.pt() < config.min_track_pt || std::abs(track.dxy(beam_spot.position)) > config.max_track_dxy ||
        !(dz_error > 0.0) || dz_error > config.max_track_dz_error) {
      continue;
    }
    entries.push_back({beam_spot.position.z + track.dz(beam_spot.position), 1.0 / (dz_error * dz_error),
                       track.pt()});
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.z0 < b.z0; });

  std::vector<edm::Vertex> vertices;
  std::size_t begin = 0;
  for (std::size_t i = 1; i <= entries.size(); ++i) {
    if (i < entries.size() && entries[i].z0 - entries[i - 1].z0 <= config.max_gap) {
      continue;
    }
    const std::size_t count = i - begin;
    if (count >= static_cast<std::size_t>(config.min_tracks)) {
      double weight_sum = 0.0;
      double weighted_z = 0.0;
      double sum_pt2 = 0.0;
      for (std::size_t k = begin; k < i; ++k) {
        weight_sum += entries[k].weight;
        weighted_z += entries[k].weight * entries[k].z0;
        sum_pt2 += entries[k].pt * entries[k].pt;
      }
      edm::Vertex vertex;
      vertex.position = {beam_spot.position.x, beam_spot.position.y, weighted_z / weight_sum};
      vertex.sigma_z = 1.0 / std::sqrt(weight_sum);
      vertex.track_count = static_cast<std::uint32_t>(count);
      vertex.sum_pt2 = sum_pt2;
      vertices.push_back(vertex);
    }
    begin = i;
  }
  std::stable_sort(vertices.begin(), vertices.end(),
                   [](const edm::Vertex& a, const edm::Vertex& b) { return a.sum_pt2 > b.sum_pt2; });
  return vertices;
}

ReconstructionCounters Reconstructor::reconstruct(edm::Event& event) {
  ReconstructionCounters counters;
  event.tracks.clear();
  event.vertices.clear();
  event.track_truth.clear();
  const std::span<const edm::Hit> hits(event.hits);
  if (hits.empty()) {
    return counters;
  }
  index_.build(hits);
  masked_.assign(hits.size(), 0);
  used_.assign(hits.size(), 0);

  // 1. Prompt iteration, its ambiguity resolution, and the masking of the
  //    hits of its good tracks.
  std::vector<Candidate> candidates;
  const std::array<const TripletSeeder*, 1> prompt_seeders{&prompt_seeder_};
  run_iteration(hits, prompt_seeders, config_.prompt_finding, edm::Iteration::kPrompt, candidates,
                counters, event.number);
  auto resolve = [&](std::vector<Candidate>& list) {
    std::vector<std::vector<std::uint32_t>> hit_lists;
    std::vector<double> chi2;
    for (const Candidate& candidate : list) {
      hit_lists.push_back(candidate.hits);
      chi2.push_back(candidate.chi2);
    }
    const auto kept = resolve_ambiguities(hit_lists, chi2, config_.max_shared_fraction, hits.size());
    counters.removed_by_ambiguity += list.size() - kept.size();
    std::vector<Candidate> survivors;
    survivors.reserve(kept.size());
    for (const std::size_t index : kept) {
      survivors.push_back(std::move(list[index]));
    }
    list = std::move(survivors);
  };
  resolve(candidates);

  // 2. Displaced iteration on the hits left.
  if (config_.run_displaced) {
    for (const Candidate& candidate : candidates) {
      if (candidate.valid >= config_.mask_min_hits) {
        for (const std::uint32_t id : candidate.hits) {
          masked_[id] = 1;
        }
      }
    }
    const std::size_t prompt_count = candidates.size();
    const std::array<const TripletSeeder*, 2> displaced_seeders{&displaced_seeder_,
                                                                &forward_displaced_seeder_};
    run_iteration(hits, displaced_seeders, config_.displaced_finding, edm::Iteration::kDisplaced,
                  candidates, counters, event.number);
    if (candidates.size() > prompt_count) {
      resolve(candidates);
    }
  }

  // 3. Final fit of the survivors.
  const auto fit_start = std::chrono::steady_clock::now();
  std::vector<const edm::Hit*> pointers;
  for (Candidate& candidate : candidates) {
    pointers.clear();
    for (const std::uint32_t id : candidate.hits) {
      pointers.push_back(&hits[id]);
    }
    const auto fit = fit_track(detector_, pointers, candidate.seed_free, config_.fit);
    if (!fit.ok()) {
      ++counters.failed_fits;
      logging::get("reco")->debug("event {}: fit of a {}-hit candidate failed: {}", event.number,
                                  candidate.hits.size(), fit.error().message);
      continue;
    }
    edm::Track track;
    fill_track(fit.value(), track);
    track.iteration = candidate.iteration;
    track.hits = std::move(candidate.hits);
    track.hit_pattern = inner_crossings(detector_, fit.value().perigee, pointers.front()->layer_id);
    track.hit_pattern.insert(track.hit_pattern.end(), candidate.pattern.begin(),
                             candidate.pattern.end());
    event.tracks.push_back(std::move(track));
  }
  counters.tracks = event.tracks.size();

  // 4. Primary vertices.
  event.vertices = find_vertices(event.tracks, event.beam_spot, config_.vertex_finder);
  logging::get("reco")->debug(
      "event {}: final fit of {} candidates and vertex finding in {:.3f} s", event.number,
      candidates.size(),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - fit_start).count());
  return counters;
}

}  // namespace trackpurity::reco
