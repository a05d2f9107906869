#pragma once


#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "support/run_program.hpp"
#include "support/temporary_folder.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/event.hpp"
#include "trackpurity/features/feature_set.hpp"
#include "trackpurity/io/event_writer.hpp"
#include "trackpurity/nn/model.hpp"

// Hand-made events with truth-labelled tracks, small models and a runner for
// the built program, for the tests of score, calibrate and select.

namespace trackpurity::cli::testing {

using namespace trackpurity::units;

// Fraction of displaced tracks (|dxy| between 0.6 and 5 cm) in make_track_event.
inline constexpr double kDisplacedFraction = 0.5;
// Fraction of genuine tracks in make_track_event.
inline constexpr double kGenuineFraction = 0.85;

inline std::vector<std::string> hlt15_names() { return features::FeatureSet::hlt15().names(); }

// A small network of the family, fast to score: 15 -> [16, 8] -> 8 x 1 residual -> 1.
inline nn::Architecture small_architecture() {
  nn::Architecture architecture;
  architecture.input_width = 15;
  architecture.dense_widths = {16, 8};
  architecture.projection_width = 8;
  architecture.residual_blocks = 1;
  return architecture;
}

inline nn::Model small_model(std::uint64_t seed = 11) {
  nn::Model model = nn::make_random_model(small_architecture(), hlt15_names(), seed);
  model.feature_set = "hlt15";
  // Normalisation ranges that cover the values of make_track_event, so the
  // scores spread over (0, 1).
  const std::vector<std::pair<float, float>> ranges = {
      {-5.0F, 5.0F}, {-15.0F, 15.0F}, {0.0F, 0.05F}, {0.0F, 0.1F},  {0.0F, 5.0F},
      {-2.5F, 2.5F}, {-3.2F, 3.2F},   {0.0F, 0.01F}, {0.0F, 0.01F}, {0.0F, 30.0F},
      {0.0F, 3.0F},  {0.0F, 3.0F},    {0.0F, 3.0F},  {0.0F, 8.0F},  {0.0F, 12.0F}};
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    model.feature_min[i] = ranges[i].first;
    model.feature_max[i] = ranges[i].second;
  }
  // The random output layer gives logits of about -1.27 +- 0.1 on these
  // tracks (seed 11). Stretch them around 0: logit' = 30 (logit + 1.27).
  constexpr float kLogitScale = 30.0F;
  constexpr float kLogitCentre = -1.27F;
  for (float& weight : model.output.weight) {
    weight *= kLogitScale;
  }
  model.output.bias[0] = kLogitScale * (model.output.bias[0] - kLogitCentre);
  return model;
}

// A track with finite features: momentum 1-20 GeV, |eta| < 2.4, a hit
// pattern of pixel and outer-tracker layers, and |dxy| to the origin below
// 0.05 cm (prompt) or between 0.6 and 5 cm (displaced).
inline edm::Track make_track(std::mt19937_64& random, bool displaced) {
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  const double p = 1.0 * GeV + 19.0 * GeV * uniform(random);
  const double lambda = -1.2 + 2.4 * uniform(random);
  const double phi = std::numbers::pi * (2.0 * uniform(random) - 1.0);
  const double sign = uniform(random) < 0.5 ? -1.0 : 1.0;
  const double dxy = displaced ? sign * (0.6 * cm + 4.4 * cm * uniform(random))
                               : sign * 0.05 * cm * uniform(random);
  const double z = 10.0 * cm * (2.0 * uniform(random) - 1.0);

  edm::Track track;
  track.charge = uniform(random) < 0.5 ? -1 : 1;
  // Reference point at distance dxy from the beam line, perpendicular to the momentum.
  track.reference_point = {-dxy * std::sin(phi), dxy * std::cos(phi), z};
  const double pt = p * std::cos(lambda);
  const edm::Vector3 momentum{pt * std::cos(phi), pt * std::sin(phi), p * std::sin(lambda)};
  track.parameters = edm::parameters_from_state(track.reference_point, momentum, track.charge);
  track.covariance.set(edm::eQOverP, edm::eQOverP, 1e-6 * (0.5 + uniform(random)));
  track.covariance.set(edm::eLambda, edm::eLambda, 1e-6 * (0.5 + uniform(random)));
  track.covariance.set(edm::ePhi, edm::ePhi, 1e-6 * (0.5 + uniform(random)));
  track.covariance.set(edm::eDxy, edm::eDxy, 1e-4 * (0.1 + uniform(random)));
  track.covariance.set(edm::eDsz, edm::eDsz, 1e-4 * (0.1 + uniform(random)));
  track.ndof = 4 + static_cast<int>(20 * uniform(random));
  track.chi2 = track.ndof * 3.0 * uniform(random);
  track.inner_momentum = momentum;
  track.outer_momentum = momentum;

  const int pixel_layers = 1 + static_cast<int>(4 * uniform(random));
  const int outer_layers = static_cast<int>(7 * uniform(random));
  for (int layer = 1; layer <= pixel_layers; ++layer) {
    const auto type = uniform(random) < 0.15 ? edm::HitType::kMissing : edm::HitType::kValid;
    track.hit_pattern.push_back(
        {edm::Subdetector::kPixelBarrel, static_cast<std::uint8_t>(layer), type});
  }
  for (int layer = 1; layer <= outer_layers; ++layer) {
    const auto subdetector =
        layer <= 3 ? edm::Subdetector::kOuterBarrelPS : edm::Subdetector::kOuterBarrel2S;
    const auto type = uniform(random) < 0.15 ? edm::HitType::kMissing : edm::HitType::kValid;
    track.hit_pattern.push_back({subdetector, static_cast<std::uint8_t>(layer), type});
  }
  for (const edm::HitPatternEntry& entry : track.hit_pattern) {
    if (entry.type == edm::HitType::kValid) {
      track.hits.push_back(static_cast<std::uint32_t>(track.hits.size()));
    }
  }
  return track;
}

// An event of `track_count` tracks with truth, a few hits, particles and vertices.
inline edm::Event make_track_event(std::uint64_t number, std::size_t track_count,
                                   std::uint64_t seed) {
  std::mt19937_64 random(seed * 1000003 + number);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  edm::Event event;
  event.number = number;
  event.collisions = 200;
  event.beam_spot.sigma_x = 6 * um;
  event.beam_spot.sigma_y = 5 * um;
  event.beam_spot.sigma_z = 4.3 * cm;

  for (std::size_t i = 0; i < 20; ++i) {
    edm::Hit hit;
    hit.id = static_cast<std::uint32_t>(i);
    hit.subdetector = edm::Subdetector::kPixelBarrel;
    hit.layer = 1;
    hit.position = {3.0 * cm, 0.1 * static_cast<double>(i) * cm, 1.0 * cm};
    hit.sigma_u = 5 * um;
    hit.sigma_v = 10 * um;
    hit.particle = static_cast<std::int32_t>(i % 5);
    event.hits.push_back(hit);
  }
  for (std::size_t i = 0; i < 5; ++i) {
    edm::Particle particle;
    particle.id = static_cast<std::uint32_t>(i);
    particle.pdg_id = 211;
    particle.charge = 1;
    particle.momentum = {1.0 * GeV, 0.5 * GeV, 0.2 * GeV * static_cast<double>(i)};
    // Particles 3 and 4 come from a displaced origin 2 cm from the beam line,
    // so 2 in 5 genuine tracks fall in the calibration's displaced-origin category.
    if (i >= 3) {
      particle.vertex = {2.0 * cm, 0.0, 0.0};
    }
    event.particles.push_back(particle);
  }
  for (std::size_t i = 0; i < 3; ++i) {
    edm::Vertex vertex;
    vertex.position = {0.0, 0.0, (static_cast<double>(i) - 1.0) * 3.0 * cm};
    vertex.sigma_z = 50 * um;
    vertex.track_count = 10;
    vertex.sum_pt2 = 100.0 * static_cast<double>(i + 1);
    event.vertices.push_back(vertex);
  }

  for (std::size_t i = 0; i < track_count; ++i) {
    const bool displaced = uniform(random) < kDisplacedFraction;
    event.tracks.push_back(make_track(random, displaced));
    edm::TrackTruth truth;
    truth.genuine = uniform(random) < kGenuineFraction;
    truth.particle = truth.genuine ? static_cast<std::int32_t>(i % 5) : -1;
    truth.shared_fraction = truth.genuine ? 1.0F : 0.5F;
    event.track_truth.push_back(truth);
  }
  return event;
}

// An event without any rows: no hits, particles, tracks or vertices.
inline edm::Event make_empty_event(std::uint64_t number) {
  edm::Event event;
  event.number = number;
  return event;
}

inline void write_events(const std::string& path, const std::vector<edm::Event>& events,
                         io::TableMask tables = io::TableMask::all()) {
  io::EventWriterConfig config;
  config.configuration = R"({"test": "select commands"})";
  config.seed = 5;
  config.tables = tables;
  io::EventWriter writer(path, config);
  for (const edm::Event& event : events) {
    writer.write(event);
  }
  writer.close();
}

using test_support::CommandResult;
using test_support::run_program;

using test_support::read_bytes;
using test_support::TemporaryFolder;

}  // namespace trackpurity::cli::testing
