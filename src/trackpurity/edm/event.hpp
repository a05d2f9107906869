#pragma once

#include <cstdint>
#include <vector>

#include "trackpurity/edm/hit.hpp"
#include "trackpurity/edm/particle.hpp"
#include "trackpurity/edm/track.hpp"
#include "trackpurity/edm/vector3.hpp"

namespace trackpurity::edm {

// Centre and Gaussian widths of the luminous region [cm]. The beam line is
// taken parallel to z.
struct BeamSpot {
  Vector3 position;
  double sigma_x = 0.0;
  double sigma_y = 0.0;
  double sigma_z = 0.0;

  friend bool operator==(const BeamSpot&, const BeamSpot&) = default;
};

// A reconstructed primary vertex.
struct Vertex {
  Vector3 position;             // [cm]
  double sigma_z = 0.0;         // uncertainty of position.z [cm]
  std::uint32_t track_count = 0;
  double sum_pt2 = 0.0;         // sum of the squared pT of its tracks [GeV^2]

  friend bool operator==(const Vertex&, const Vertex&) = default;
};

// One bunch crossing. Simulation fills particles and hits; reconstruction adds
// tracks, their truth (same length as tracks, or empty) and vertices.
struct Event {
  std::uint64_t number = 0;     // event number within its run
  std::uint32_t collisions = 0; // number of pp collisions in the crossing (signal included)
  BeamSpot beam_spot;
  std::vector<Particle> particles;
  std::vector<Hit> hits;
  std::vector<Track> tracks;
  std::vector<TrackTruth> track_truth;
  std::vector<Vertex> vertices;

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace trackpurity::edm
