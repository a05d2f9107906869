#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "trackpurity/edm/detector_id.hpp"
#include "trackpurity/edm/vector3.hpp"

namespace trackpurity::edm {

// Track parameters in the CMS curvilinear-perigee basis (reco::TrackBase):
// q/p [1/GeV], lambda = pi/2 - theta [rad], phi of the momentum [rad],
// dxy and dsz [cm] relative to the origin, all at the reference point.
enum ParameterIndex : std::uint8_t {
  eQOverP = 0,
  eLambda = 1,
  ePhi = 2,
  eDxy = 3,
  eDsz = 4,
  eParameterCount = 5,
};

using TrackParameters = std::array<double, eParameterCount>;

// Symmetric 5x5 covariance of TrackParameters, stored row-major in full.
struct TrackCovariance {
  std::array<double, eParameterCount * eParameterCount> values{};

  double operator()(ParameterIndex row, ParameterIndex column) const noexcept {
    return values[row * eParameterCount + column];
  }
  double& operator()(ParameterIndex row, ParameterIndex column) noexcept {
    return values[row * eParameterCount + column];
  }
  // Sets both (row, column) and (column, row).
  void set(ParameterIndex row, ParameterIndex column, double value) noexcept {
    values[row * eParameterCount + column] = value;
    values[column * eParameterCount + row] = value;
  }

  friend bool operator==(const TrackCovariance&, const TrackCovariance&) = default;
};

// Outcome of a layer crossing, as reco::HitPattern. Stored in event files.
enum class HitType : std::uint8_t {
  kValid = 0,     // a hit was found and used
  kMissing = 1,   // an active module was crossed and no compatible hit was found
  kInactive = 2,  // an inactive module was crossed
  kBad = 3,       // a hit was found but rejected
};

std::string_view to_string(HitType type) noexcept;

// One crossed layer of a track. A layer is (subdetector, layer) regardless of
// the +-z side, as in CMS.
struct HitPatternEntry {
  Subdetector subdetector = Subdetector::kPixelBarrel;
  std::uint8_t layer = 0;
  HitType type = HitType::kValid;

  friend bool operator==(const HitPatternEntry&, const HitPatternEntry&) = default;
};

// Reconstruction iteration that produced a track. Stored in event files.
enum class Iteration : std::uint8_t {
  kPrompt = 0,     // pixel triplet seeds compatible with the beam line
  kDisplaced = 1,  // seeds without the beam-line constraint
};

std::string_view to_string(Iteration iteration) noexcept;

// A reconstructed track with its parameters at the point of closest approach
// to the nominal beam line (the z axis).
struct Track {
  TrackParameters parameters{};
  TrackCovariance covariance;
  Vector3 reference_point;  // point of closest approach to the beam line [cm]
  std::int32_t charge = 0;
  double chi2 = 0.0;
  std::int32_t ndof = 0;
  Iteration iteration = Iteration::kPrompt;
  Vector3 inner_momentum;   // momentum at the innermost valid hit [GeV]
  Vector3 outer_momentum;   // momentum at the outermost valid hit [GeV]
  std::vector<std::uint32_t> hits;            // ids of the valid hits, in order of crossing
  std::vector<HitPatternEntry> hit_pattern;   // every crossed layer, inside out

  double p() const noexcept;
  double pt() const noexcept;
  double eta() const noexcept;
  double phi() const noexcept { return parameters[ePhi]; }
  double theta() const noexcept;
  Vector3 momentum() const noexcept;

  // Transverse and longitudinal impact parameters to point `point` [cm], with
  // the reco::TrackBase definitions: the reference point is moved along a
  // straight line, which is exact at the reference point.
  double dxy(const Vector3& point) const noexcept;
  double dz(const Vector3& point) const noexcept;

  // Uncertainties from the covariance: sqrt(C[dxy][dxy]), sqrt(C[dsz][dsz])*p/pT,
  // sqrt(C[lambda][lambda])*p/pT and sqrt(C[phi][phi]).
  double dxy_error() const noexcept;
  double dz_error() const noexcept;
  double eta_error() const noexcept;
  double phi_error() const noexcept;

  // chi2/ndof, or chi2 * 1e6 when ndof is zero (reco::TrackBase::normalizedChi2).
  double normalized_chi2() const noexcept;

  friend bool operator==(const Track&, const Track&) = default;
};

// Computes the reco::TrackBase parameters (q/p, lambda, phi, dxy, dsz) of a
// particle of charge `charge` with momentum `momentum` at point `reference_point`.
TrackParameters parameters_from_state(const Vector3& reference_point, const Vector3& momentum,
                                      int charge) noexcept;

// Counts derived from a hit pattern, with the reco::HitPattern definitions.
struct HitPatternSummary {
  int valid_hits = 0;
  int valid_pixel_hits = 0;                // valid hits in the Inner Tracker
  int valid_strip_hits = 0;                // valid hits in the Outer Tracker
  int lost_inner_hits = 0;                 // missing hits before the first valid hit
  int lost_outer_hits = 0;                 // missing hits after the last valid hit
  int lost_hits = 0;                       // missing hits between the first and last valid hit
  int inactive_hits = 0;
  int layers_with_measurement = 0;         // distinct layers with at least one valid hit
  int pixel_layers_with_measurement = 0;
  int layers_without_measurement = 0;      // layers with a missing and no valid hit, inside the valid range

  friend bool operator==(const HitPatternSummary&, const HitPatternSummary&) = default;
};

HitPatternSummary summarize(const std::vector<HitPatternEntry>& pattern) noexcept;

// Truth association of one track (QuickTrackAssociatorByHits).
struct TrackTruth {
  std::int32_t particle = -1;     // particle that made the most valid hits, -1 when none
  float shared_fraction = 0.0F;   // that particle's hits / the track's valid hits
  bool genuine = false;           // shared_fraction > 0.75, or 3 of 3 for a 3-hit track
  bool duplicate = false;         // genuine, and its particle is associated to more than one track

  friend bool operator==(const TrackTruth&, const TrackTruth&) = default;
};

}  // namespace trackpurity::edm
