#include "trackpurity/features/feature.hpp"

#include <array>

namespace trackpurity::features {

namespace {

using enum FeatureId;

// clang-format off
constexpr std::array<FeatureInfo, kFeatureCount> kCatalog = {{
    {kDxyBs,                    "dxy_bs",                     "cm",  "dxy(beamSpot.position())"},
    {kDzBs,                     "dz_bs",                      "cm",  "dz(beamSpot.position())"},
    {kDxyError,                 "dxy_error",                  "cm",  "dxyError()"},
    {kDzError,                  "dz_error",                   "cm",  "dzError()"},
    {kNormalizedChi2,           "normalized_chi2",            "",    "normalizedChi2()"},
    {kEta,                      "eta",                        "",    "eta()"},
    {kPhi,                      "phi",                        "rad", "phi()"},
    {kEtaError,                 "eta_error",                  "",    "etaError()"},
    {kPhiError,                 "phi_error",                  "rad", "phiError()"},
    {kNdof,                     "ndof",                       "",    "ndof()"},
    {kLostInnerHits,            "lost_inner_hits",            "",    "hitPattern().numberOfLostTrackerHits(MISSING_INNER_HITS)"},
    {kLostOuterHits,            "lost_outer_hits",            "",    "hitPattern().numberOfLostTrackerHits(MISSING_OUTER_HITS)"},
    {kLayersWithoutMeasurement, "layers_without_measurement", "",    "hitPattern().trackerLayersWithoutMeasurement(TRACK_HITS)"},
    {kValidPixelHits,           "valid_pixel_hits",           "",    "hitPattern().numberOfValidPixelHits()"},
    {kValidStripHits,           "valid_strip_hits",           "",    "hitPattern().numberOfValidStripHits()"},
    {kPt,                       "pt",                         "GeV", "pt()"},
    {kPtError,                  "pt_error",                   "GeV", "ptError()"},
    {kInnerPx,                  "inner_px",                   "GeV", "innerMomentum().x()"},
    {kInnerPy,                  "inner_py",                   "GeV", "innerMomentum().y()"},
    {kInnerPz,                  "inner_pz",                   "GeV", "innerMomentum().z()"},
    {kInnerPt,                  "inner_pt",                   "GeV", "innerMomentum().rho()"},
    {kOuterPx,                  "outer_px",                   "GeV", "outerMomentum().x()"},
    {kOuterPy,                  "outer_py",                   "GeV", "outerMomentum().y()"},
    {kOuterPz,                  "outer_pz",                   "GeV", "outerMomentum().z()"},
    {kOuterPt,                  "outer_pt",                   "GeV", "outerMomentum().rho()"},
    {kDxyPv,                    "dxy_pv",                     "cm",  "dxy(bestVertex)"},
    {kDzPv,                     "dz_pv",                      "cm",  "dz(bestVertex)"},
    {kLayersOffInner,           "layers_off_inner",           "",    "hitPattern().trackerLayersTotallyOffOrBad(MISSING_INNER_HITS)"},
    {kLayersOffOuter,           "layers_off_outer",           "",    "hitPattern().trackerLayersTotallyOffOrBad(MISSING_OUTER_HITS)"},
}};
// clang-format on

// The catalog is indexed by FeatureId; this fails to compile if an entry moves.
constexpr bool catalog_is_in_id_order() {
  for (std::size_t i = 0; i < kCatalog.size(); ++i) {
    if (static_cast<std::size_t>(kCatalog[i].id) != i) {
      return false;
    }
  }
  return true;
}
static_assert(catalog_is_in_id_order());
static_assert(static_cast<std::size_t>(kLayersOffOuter) + 1 == kFeatureCount);

}  // namespace

std::span<const FeatureInfo> feature_catalog() noexcept { return kCatalog; }

const FeatureInfo& info(FeatureId id) noexcept { return kCatalog[static_cast<std::size_t>(id)]; }

std::optional<FeatureId> find_feature(std::string_view name) noexcept {
  for (const FeatureInfo& entry : kCatalog) {
    if (entry.name == name) {
      return entry.id;
    }
  }
  return std::nullopt;
}

}  // namespace trackpurity::features
