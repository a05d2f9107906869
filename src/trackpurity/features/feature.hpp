#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace trackpurity::features {

// Every per-track feature the toolkit can compute. The numeric values index
// feature_catalog() and are not stored in files: models store feature names.
enum class FeatureId : std::uint8_t {
  kDxyBs,
  kDzBs,
  kDxyError,
  kDzError,
  kNormalizedChi2,
  kEta,
  kPhi,
  kEtaError,
  kPhiError,
  kNdof,
  kLostInnerHits,
  kLostOuterHits,
  kLayersWithoutMeasurement,
  kValidPixelHits,
  kValidStripHits,
  kPt,
  kPtError,
  kInnerPx,
  kInnerPy,
  kInnerPz,
  kInnerPt,
  kOuterPx,
  kOuterPy,
  kOuterPz,
  kOuterPt,
  kDxyPv,
  kDzPv,
  kLayersOffInner,
  kLayersOffOuter,
};

inline constexpr std::size_t kFeatureCount = 29;

// Name, unit and CMS source of one feature; docs/features.md gives the formulas.
struct FeatureInfo {
  FeatureId id = FeatureId::kDxyBs;
  std::string_view name;      // name used in model files and on the command line
  std::string_view unit;      // "cm", "GeV", "rad", or "" for dimensionless numbers and counts
  std::string_view cms_name;  // the reco::Track accessor the definition follows
};

// All features, in FeatureId order.
std::span<const FeatureInfo> feature_catalog() noexcept;

const FeatureInfo& info(FeatureId id) noexcept;

// Returns the feature called `name`, or nothing when no feature has that name.
std::optional<FeatureId> find_feature(std::string_view name) noexcept;

}  // namespace trackpurity::features
