#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "support/temporary_folder.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/event.hpp"

// Synthetic events and a per-test temporary folder for the io tests. The
// values are random, not physical: they exercise every bit of every member.

namespace trackpurity::io::testing {

// Table sizes of one synthetic event.
struct EventSize {
  std::size_t particles = 0;
  std::size_t hits = 0;
  std::size_t tracks = 0;
  std::size_t vertices = 0;
};

inline edm::Event make_event(std::uint64_t number, const EventSize& size, std::uint64_t seed) {
  using namespace trackpurity::units;
  std::mt19937_64 random(seed * 7919 + number);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  auto integer = [&](int low, int high) {
    return std::uniform_int_distribution<int>(low, high)(random);
  };
  auto vector = [&](double scale) {
    return edm::Vector3{scale * uniform(random), scale * uniform(random), scale * uniform(random)};
  };

  edm::Event event;
  event.number = number + (std::uint64_t{1} << 40);  // beyond 32 bits on purpose
  event.collisions = static_cast<std::uint32_t>(integer(1, 250));
  event.beam_spot.position = vector(0.1 * cm);
  event.beam_spot.sigma_x = 6 * um * (1.0 + 0.1 * uniform(random));
  event.beam_spot.sigma_y = 5 * um * (1.0 + 0.1 * uniform(random));
  event.beam_spot.sigma_z = 4.3 * cm * (1.0 + 0.1 * uniform(random));

  static const int kPdgIds[] = {211, -211, 321, -321, 2212, -2212, 11, -11, 13, 22, 310, 3122};
  for (std::size_t i = 0; i < size.particles; ++i) {
    edm::Particle particle;
    particle.id = static_cast<std::uint32_t>(i);
    particle.collision = static_cast<std::uint32_t>(integer(0, 200));
    particle.pdg_id = kPdgIds[integer(0, 11)];
    particle.charge = integer(-1, 1);
    particle.vertex = vector(2 * cm);
    particle.momentum = vector(10 * GeV);
    particle.parent = i == 0 ? -1 : integer(-1, static_cast<int>(i) - 1);
    particle.process = static_cast<edm::CreationProcess>(integer(0, 3));
    event.particles.push_back(particle);
  }

  for (std::size_t i = 0; i < size.hits; ++i) {
    edm::Hit hit;
    hit.id = static_cast<std::uint32_t>(i);
    hit.module_id = static_cast<std::uint32_t>(integer(0, 1 << 30));
    hit.layer_id = static_cast<std::uint16_t>(integer(0, 65535));
    hit.subdetector = static_cast<edm::Subdetector>(integer(1, 6));
    hit.layer = static_cast<std::uint8_t>(integer(1, 8));
    hit.position = vector(100 * cm);
    hit.sigma_u = 25 * um * (1.5 + uniform(random));
    hit.sigma_v = 1 * mm * (1.5 + uniform(random));
    hit.particle = integer(-1, 1000);
    hit.true_position = vector(100 * cm);
    event.hits.push_back(hit);
  }

  for (std::size_t i = 0; i < size.tracks; ++i) {
    edm::Track track;
    for (double& parameter : track.parameters) {
      parameter = uniform(random);
    }
    for (int row = 0; row < edm::eParameterCount; ++row) {
      for (int column = row; column < edm::eParameterCount; ++column) {
        track.covariance.set(static_cast<edm::ParameterIndex>(row),
                             static_cast<edm::ParameterIndex>(column), 1e-4 * uniform(random));
      }
    }
    track.reference_point = vector(1 * cm);
    track.charge = integer(0, 1) == 0 ? -1 : 1;
    track.chi2 = 20.0 * (1.0 + uniform(random));
    track.ndof = integer(0, 20);
    track.iteration = static_cast<edm::Iteration>(integer(0, 1));
    track.inner_momentum = vector(5 * GeV);
    track.outer_momentum = vector(5 * GeV);
    const int hit_count = integer(0, 12);
    for (int k = 0; k < hit_count; ++k) {
      track.hits.push_back(static_cast<std::uint32_t>(integer(0, 100000)));
    }
    const int pattern_count = integer(0, 15);
    for (int k = 0; k < pattern_count; ++k) {
      track.hit_pattern.push_back({static_cast<edm::Subdetector>(integer(1, 6)),
                                   static_cast<std::uint8_t>(integer(1, 8)),
                                   static_cast<edm::HitType>(integer(0, 3))});
    }
    event.tracks.push_back(track);

    edm::TrackTruth truth;
    truth.particle = integer(-1, 500);
    truth.shared_fraction = static_cast<float>(0.5 + 0.5 * uniform(random));
    truth.genuine = integer(0, 1) == 1;
    truth.duplicate = integer(0, 1) == 1;
    event.track_truth.push_back(truth);
  }

  for (std::size_t i = 0; i < size.vertices; ++i) {
    edm::Vertex vertex;
    vertex.position = vector(5 * cm);
    vertex.sigma_z = 50 * um * (1.5 + uniform(random));
    vertex.track_count = static_cast<std::uint32_t>(integer(2, 80));
    vertex.sum_pt2 = 1000.0 * (1.0 + uniform(random));
    event.vertices.push_back(vertex);
  }
  return event;
}

// A mix of sizes: an empty event, hits without tracks, small and larger ones.
inline std::vector<edm::Event> make_events(std::uint64_t seed = 1) {
  const std::vector<EventSize> sizes = {
      {0, 0, 0, 0}, {10, 40, 5, 2}, {3, 7, 0, 1}, {50, 200, 30, 4}, {1, 1, 1, 1}, {20, 90, 12, 0},
  };
  std::vector<edm::Event> events;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    events.push_back(make_event(i, sizes[i], seed));
  }
  return events;
}

using test_support::read_bytes;

// A fresh folder per test, removed afterwards.
class TemporaryFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    folder_ = std::filesystem::temp_directory_path() /
              ("trackpurity_io_" + std::string(info->test_suite_name()) + "_" + info->name() +
               "_" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_);
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(folder_, ignored);
  }

  std::string file(const std::string& name) const { return (folder_ / name).string(); }

  std::filesystem::path folder_;
};

}  // namespace trackpurity::io::testing
