#include "trackpurity/selection/cut_classifier.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <limits>
#include <stdexcept>

#include <fmt/format.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::selection {

namespace {

constexpr std::array<Quality, 3> kLevelsTightestFirst = {Quality::kHighPurity, Quality::kTight,
                                                         Quality::kLoose};

// Tightest level whose cut `passes` accepts, or kNone. As in CMSSW, the levels
// are tried from highPurity down, so a cut that is looser at a tighter level
// still gives that tighter level.
template <typename Passes>
Quality tightest_passed(const CutClassifierConfig& config, Passes passes) {
  for (const Quality level : kLevelsTightestFirst) {
    const QualityCuts& cuts = level == Quality::kHighPurity ? config.high_purity
                              : level == Quality::kTight    ? config.tight
                                                            : config.loose;
    if (passes(cuts)) {
      return level;
    }
  }
  return Quality::kNone;
}

void validate_level(const QualityCuts& cuts, std::string_view level) {
  const std::array<std::pair<const char*, double>, 4> factors = {
      {{"dz_error_factor", cuts.dz_error_factor},
       {"dz_resolution_factor", cuts.dz_resolution_factor},
       {"dxy_error_factor", cuts.dxy_error_factor},
       {"dxy_resolution_factor", cuts.dxy_resolution_factor}}};
  for (const auto& [name, value] : factors) {
    if (!std::isfinite(value) || value < 0.0) {
      throw ConfigError(fmt::format("cut classifier {}.{} must be a finite number >= 0, got {}",
                                    level, name, value));
    }
  }
  if (cuts.min_layers < 0 || cuts.min_3d_layers < 0 || cuts.min_pixel_hits < 0 ||
      cuts.max_lost_layers < 0) {
    throw ConfigError(fmt::format("cut classifier {} layer and hit counts must be >= 0", level));
  }
  if (std::isnan(cuts.min_ndof) || std::isnan(cuts.max_chi2n) || std::isnan(cuts.max_chi2)) {
    throw ConfigError(fmt::format("cut classifier {} chi2 and ndof cuts must not be NaN", level));
  }
}

// Closest vertex in |dz| among those with enough tracks, else the beam spot.
// dz(P) is edm::Track::dz with the momentum computed once, because an event
// has hundreds of vertices to try per track.
edm::Vector3 closest_vertex(const edm::Track& track, const edm::Event& event,
                            std::uint32_t min_tracks) {
  const edm::Vector3 momentum = track.momentum();
  const double pt = momentum.perp();
  const double cot_theta = momentum.z / pt;
  const edm::Vector3& v = track.reference_point;

  edm::Vector3 closest = event.beam_spot.position;
  double closest_dz = std::numeric_limits<double>::infinity();
  for (const edm::Vertex& vertex : event.vertices) {
    if (vertex.track_count < min_tracks) {
      continue;
    }
    const edm::Vector3& point = vertex.position;
    const double dz = std::abs(
        (v.z - point.z) -
        ((v.x - point.x) * momentum.x + (v.y - point.y) * momentum.y) / pt * cot_theta);
    if (dz < closest_dz) {
      closest_dz = dz;
      closest = point;
    }
  }
  return closest;
}

// PS layers with a valid hit: TBPS layers from the hit pattern, and TEDD disks
// through the track's hits below the PS radius.
int count_ps_layers(const edm::Track& track, const edm::Event& event, double tedd_ps_max_radius) {
  constexpr std::size_t kMaxLayers = 32;
  std::bitset<kMaxLayers> barrel_layers;
  std::bitset<kMaxLayers> disk_layers;
  for (const edm::HitPatternEntry& entry : track.hit_pattern) {
    if (entry.type == edm::HitType::kValid &&
        entry.subdetector == edm::Subdetector::kOuterBarrelPS) {
      barrel_layers.set(entry.layer % kMaxLayers);
    }
  }
  for (const std::uint32_t id : track.hits) {
    if (id >= event.hits.size()) {
      continue;
    }
    const edm::Hit& hit = event.hits[id];
    if (hit.subdetector == edm::Subdetector::kOuterEndcap &&
        hit.position.perp() < tedd_ps_max_radius) {
      disk_layers.set(hit.layer % kMaxLayers);
    }
  }
  return static_cast<int>(barrel_layers.count() + disk_layers.count());
}

}  // namespace

std::string_view to_string(Quality quality) noexcept {
  switch (quality) {
    case Quality::kNone:
      return "none";
    case Quality::kLoose:
      return "loose";
    case Quality::kTight:
      return "tight";
    case Quality::kHighPurity:
      return "highPurity";
  }
  return "unknown";
}

void CutClassifierConfig::validate() const {
  validate_level(loose, "loose");
  validate_level(tight, "tight");
  validate_level(high_purity, "high_purity");
  if (layer_exponent < 0) {
    throw ConfigError(
        fmt::format("cut classifier layer_exponent must be >= 0, got {}", layer_exponent));
  }
  if (!std::isfinite(d0_resolution) || d0_resolution < 0.0 ||
      !std::isfinite(d0_resolution_pt_term) || d0_resolution_pt_term < 0.0) {
    throw ConfigError(fmt::format(
        "cut classifier d0 resolution terms must be finite and >= 0, got {} cm and {} cm GeV",
        d0_resolution, d0_resolution_pt_term));
  }
  if (!(tedd_ps_max_radius >= 0.0)) {
    throw ConfigError(fmt::format("cut classifier tedd_ps_max_radius must be >= 0 cm, got {} cm",
                                  tedd_ps_max_radius));
  }
}

CutClassifier::CutClassifier(CutClassifierConfig config) : config_(config) { config_.validate(); }

Quality CutClassifier::classify(const CutInputs& in) const noexcept {
  const double layers = static_cast<double>(in.layers);
  const double chi2_per_layer = in.normalized_chi2 / layers;
  const double sigma_d0 = std::hypot(config_.d0_resolution, config_.d0_resolution_pt_term / in.pt);
  const double sigma_dz = sigma_d0 * in.p / in.pt;
  const auto layer_term = [&](double factor) {
    return std::pow(factor * layers, config_.layer_exponent);
  };

  // One entry per cut; the track's quality is the minimum over them.
  const std::array<Quality, 9> levels = {
      tightest_passed(config_, [&](const QualityCuts& c) { return in.ndof >= c.min_ndof; }),
      tightest_passed(config_, [&](const QualityCuts& c) { return in.layers >= c.min_layers; }),
      tightest_passed(config_,
                      [&](const QualityCuts& c) { return chi2_per_layer <= c.max_chi2n; }),
      tightest_passed(config_,
                      [&](const QualityCuts& c) { return in.normalized_chi2 <= c.max_chi2; }),
      tightest_passed(config_,
                      [&](const QualityCuts& c) { return in.layers_3d >= c.min_3d_layers; }),
      tightest_passed(config_,
                      [&](const QualityCuts& c) { return in.pixel_hits >= c.min_pixel_hits; }),
      tightest_passed(config_,
                      [&](const QualityCuts& c) { return in.lost_layers <= c.max_lost_layers; }),
      tightest_passed(config_,
                      [&](const QualityCuts& c) {
                        const double limit =
                            std::min(layer_term(c.dz_error_factor) * in.dz_error,
                                     layer_term(c.dz_resolution_factor) * sigma_dz);
                        return in.abs_dz < limit;
                      }),
      tightest_passed(config_,
                      [&](const QualityCuts& c) {
                        const double limit =
                            std::min(layer_term(c.dxy_error_factor) * in.dxy_error,
                                     layer_term(c.dxy_resolution_factor) * sigma_d0);
                        return in.abs_dxy < limit;
                      }),
  };
  return *std::min_element(levels.begin(), levels.end());
}

CutInputs CutClassifier::inputs(const edm::Track& track, const edm::Event& event) const {
  const edm::HitPatternSummary hits = edm::summarize(track.hit_pattern);
  const edm::Vector3 vertex = closest_vertex(track, event, config_.min_vertex_tracks);

  CutInputs in;
  in.layers = hits.layers_with_measurement;
  in.layers_3d = hits.pixel_layers_with_measurement +
                 count_ps_layers(track, event, config_.tedd_ps_max_radius);
  in.pixel_hits = hits.valid_pixel_hits;
  in.lost_layers = hits.layers_without_measurement;
  in.ndof = track.ndof;
  in.normalized_chi2 = track.normalized_chi2();
  in.abs_dz = std::abs(track.dz(vertex));
  in.abs_dxy = std::abs(track.dxy(vertex));
  in.dz_error = track.dz_error();
  in.dxy_error = track.dxy_error();
  in.pt = track.pt();
  in.p = track.p();
  return in;
}

void CutClassifier::classify(const edm::Event& event, std::span<Quality> qualities) const {
  if (qualities.size() != event.tracks.size()) {
    throw std::invalid_argument(fmt::format("cut classifier got {} quality slots for {} tracks",
                                            qualities.size(), event.tracks.size()));
  }
  for (std::size_t i = 0; i < event.tracks.size(); ++i) {
    qualities[i] = classify(inputs(event.tracks[i], event));
  }
}

std::vector<Quality> CutClassifier::classify(const edm::Event& event) const {
  std::vector<Quality> qualities(event.tracks.size());
  classify(event, qualities);
  return qualities;
}

}  // namespace trackpurity::selection
