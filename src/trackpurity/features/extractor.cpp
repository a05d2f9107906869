#include "trackpurity/features/extractor.hpp"

#include <bitset>
#include <cmath>
#include <utility>

#include <fmt/format.h>

#include "trackpurity/core/logging.hpp"

namespace trackpurity::features {

namespace {

// Layer identity (subdetector, layer number), ignoring the +-z side as in CMS.
// 32 layers per subdetector is more than any tracker layout here has.
constexpr std::size_t kLayersPerSubdetector = 32;
constexpr std::size_t kLayerKeySpace = 8 * kLayersPerSubdetector;

std::size_t layer_key(const edm::HitPatternEntry& entry) noexcept {
  return static_cast<std::size_t>(entry.subdetector) * kLayersPerSubdetector +
         (entry.layer % kLayersPerSubdetector);
}

// Quantities shared by several features, computed once per track.
struct TrackQuantities {
  const edm::Track* track = nullptr;
  edm::HitPatternSummary hits;
  LayersOff layers_off;
};

// Feature `id` of one track. `beam_spot` and `vertex` are the points of the
// *_bs and *_pv impact parameters.
double evaluate(FeatureId id, const TrackQuantities& q, const edm::Vector3& beam_spot,
                const edm::Vector3& vertex) noexcept {
  const edm::Track& track = *q.track;
  switch (id) {
    case FeatureId::kDxyBs:
      return track.dxy(beam_spot);
    case FeatureId::kDzBs:
      return track.dz(beam_spot);
    case FeatureId::kDxyError:
      return track.dxy_error();
    case FeatureId::kDzError:
      return track.dz_error();
    case FeatureId::kNormalizedChi2:
      return track.normalized_chi2();
    case FeatureId::kEta:
      return track.eta();
    case FeatureId::kPhi:
      return track.phi();
    case FeatureId::kEtaError:
      return track.eta_error();
    case FeatureId::kPhiError:
      return track.phi_error();
    case FeatureId::kNdof:
      return track.ndof;
    case FeatureId::kLostInnerHits:
      return q.hits.lost_inner_hits;
    case FeatureId::kLostOuterHits:
      return q.hits.lost_outer_hits;
    case FeatureId::kLayersWithoutMeasurement:
      return q.hits.layers_without_measurement;
    case FeatureId::kValidPixelHits:
      return q.hits.valid_pixel_hits;
    case FeatureId::kValidStripHits:
      return q.hits.valid_strip_hits;
    case FeatureId::kPt:
      return track.pt();
    case FeatureId::kPtError:
      return pt_error(track);
    case FeatureId::kInnerPx:
      return track.inner_momentum.x;
    case FeatureId::kInnerPy:
      return track.inner_momentum.y;
    case FeatureId::kInnerPz:
      return track.inner_momentum.z;
    case FeatureId::kInnerPt:
      return track.inner_momentum.perp();
    case FeatureId::kOuterPx:
      return track.outer_momentum.x;
    case FeatureId::kOuterPy:
      return track.outer_momentum.y;
    case FeatureId::kOuterPz:
      return track.outer_momentum.z;
    case FeatureId::kOuterPt:
      return track.outer_momentum.perp();
    case FeatureId::kDxyPv:
      return track.dxy(vertex);
    case FeatureId::kDzPv:
      return track.dz(vertex);
    case FeatureId::kLayersOffInner:
      return q.layers_off.inner;
    case FeatureId::kLayersOffOuter:
      return q.layers_off.outer;
  }
  return std::nan("");
}

}  // namespace

edm::Vector3 best_vertex_position(const edm::Event& event) noexcept {
  if (event.vertices.empty()) {
    return event.beam_spot.position;
  }
  const edm::Vertex* best = &event.vertices.front();
  for (const edm::Vertex& vertex : event.vertices) {
    if (vertex.sum_pt2 > best->sum_pt2) {
      best = &vertex;
    }
  }
  return best->position;
}

LayersOff count_layers_off(std::span<const edm::HitPatternEntry> pattern) noexcept {
  std::ptrdiff_t first_valid = -1;
  std::ptrdiff_t last_valid = -1;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i].type == edm::HitType::kValid) {
      if (first_valid < 0) {
        first_valid = static_cast<std::ptrdiff_t>(i);
      }
      last_valid = static_cast<std::ptrdiff_t>(i);
    }
  }

  // A layer is off when it has entries in the category and none of them is missing.
  std::bitset<kLayerKeySpace> inner_crossed;
  std::bitset<kLayerKeySpace> inner_missing;
  std::bitset<kLayerKeySpace> outer_crossed;
  std::bitset<kLayerKeySpace> outer_missing;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const edm::HitPatternEntry& entry = pattern[i];
    const auto index = static_cast<std::ptrdiff_t>(i);
    const bool inner = first_valid < 0 || index < first_valid;
    const bool outer = first_valid >= 0 && index > last_valid;
    if (!inner && !outer) {
      continue;
    }
    std::bitset<kLayerKeySpace>& crossed = inner ? inner_crossed : outer_crossed;
    std::bitset<kLayerKeySpace>& missing = inner ? inner_missing : outer_missing;
    const std::size_t key = layer_key(entry);
    crossed.set(key);
    if (entry.type == edm::HitType::kMissing) {
      missing.set(key);
    }
  }
  return {static_cast<int>((inner_crossed & ~inner_missing).count()),
          static_cast<int>((outer_crossed & ~outer_missing).count())};
}

double pt_error(const edm::Track& track) noexcept {
  if (track.charge == 0) {
    return 1e3;  // reco::TrackBase::ptError2() returns 1e6 for a neutral track
  }
  const double pt = track.pt();
  const double p = track.p();
  const double pz = p * std::sin(track.parameters[edm::eLambda]);
  const double q = static_cast<double>(track.charge);
  const double dpt_dqoverp = pt * p / q;
  const double variance =
      dpt_dqoverp * dpt_dqoverp * track.covariance(edm::eQOverP, edm::eQOverP) +
      2.0 * dpt_dqoverp * pz * track.covariance(edm::eQOverP, edm::eLambda) +
      pz * pz * track.covariance(edm::eLambda, edm::eLambda);
  return std::sqrt(variance);
}

FeatureExtractor::FeatureExtractor(FeatureSet feature_set, ExtractorConfig config)
    : feature_set_(std::move(feature_set)), config_(config) {
  counts_.per_feature.assign(feature_set_.size(), 0);
}

Status FeatureExtractor::compute(const edm::Event& event, FeatureTable& table) {
  if (table.feature_set() != feature_set_) {
    throw ConfigError(fmt::format("feature table has feature set '{}' but the extractor computes "
                                  "'{}': build the table from the extractor's feature set",
                                  table.feature_set().name(), feature_set_.name()));
  }

  const std::size_t rows = event.tracks.size();
  const std::span<const FeatureId> ids = feature_set_.ids();
  const edm::Vector3 beam_spot = event.beam_spot.position;
  const edm::Vector3 vertex = best_vertex_position(event);

  table.resize(rows);
  const std::span<float> values = table.values();
  const std::span<std::uint8_t> flags = table.non_finite_flags();
  ++counts_.events;
  counts_.tracks += rows;

  for (std::size_t row = 0; row < rows; ++row) {
    TrackQuantities quantities;
    quantities.track = &event.tracks[row];
    quantities.hits = edm::summarize(event.tracks[row].hit_pattern);
    quantities.layers_off = count_layers_off(event.tracks[row].hit_pattern);

    bool track_non_finite = false;
    for (std::size_t column = 0; column < ids.size(); ++column) {
      const auto value = static_cast<float>(evaluate(ids[column], quantities, beam_spot, vertex));
      values[column * rows + row] = value;
      if (std::isfinite(value)) {
        continue;
      }

      ++counts_.per_feature[column];
      if (config_.non_finite == NonFinitePolicy::kRejectEvent) {
        ++counts_.rejected_events;
        std::string message =
            fmt::format("event {}: track {} has a non-finite {} ({})", event.number, row,
                        info(ids[column]).name, value);
        logging::get("features")->debug("{}", message);
        return Status::failure(ErrorCode::kNonFinite, std::move(message));
      }
      track_non_finite = true;
    }

    if (track_non_finite) {
      flags[row] = 1;
      ++counts_.flagged_tracks;
      logging::get("features")->debug("event {}: track {} flagged for a non-finite feature",
                                      event.number, row);
    }
  }
  return ok_status();
}

}  // namespace trackpurity::features
