#include "trackpurity/features/feature_set.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::features {

namespace {

std::string known_feature_names() {
  std::vector<std::string_view> names;
  for (const FeatureInfo& entry : feature_catalog()) {
    names.push_back(entry.name);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace

FeatureSet::FeatureSet(std::string name, std::vector<FeatureId> ids)
    : name_(std::move(name)), ids_(std::move(ids)) {}

FeatureSet FeatureSet::hlt15() {
  using enum FeatureId;
  return FeatureSet("hlt15", {kDxyBs, kDzBs, kDxyError, kDzError, kNormalizedChi2, kEta, kPhi,
                              kEtaError, kPhiError, kNdof, kLostInnerHits, kLostOuterHits,
                              kLayersWithoutMeasurement, kValidPixelHits, kValidStripHits});
}

FeatureSet FeatureSet::full29() {
  using enum FeatureId;
  FeatureSet set = hlt15();
  set.name_ = "full29";
  for (const FeatureId extra : {kPt, kPtError, kInnerPx, kInnerPy, kInnerPz, kInnerPt, kOuterPx,
                                kOuterPy, kOuterPz, kOuterPt, kDxyPv, kDzPv, kLayersOffInner,
                                kLayersOffOuter}) {
    set.ids_.push_back(extra);
  }
  return set;
}

FeatureSet FeatureSet::by_name(std::string_view set_name) {
  if (set_name == "hlt15") {
    return hlt15();
  }
  if (set_name == "full29") {
    return full29();
  }
  throw ConfigError(fmt::format("unknown feature set '{}': expected hlt15 or full29, or a "
                                "comma-separated list of feature names",
                                set_name));
}

FeatureSet FeatureSet::from_names(const std::vector<std::string>& feature_names,
                                  std::string set_name) {
  if (feature_names.empty()) {
    throw ConfigError("empty feature list: name at least one feature (known features: " +
                      known_feature_names() + ")");
  }
  std::vector<FeatureId> ids;
  ids.reserve(feature_names.size());
  for (const std::string& feature_name : feature_names) {
    const std::optional<FeatureId> id = find_feature(feature_name);
    if (!id) {
      throw ConfigError(fmt::format("unknown feature '{}' (known features: {})", feature_name,
                                    known_feature_names()));
    }
    if (std::find(ids.begin(), ids.end(), *id) != ids.end()) {
      throw ConfigError(fmt::format("feature '{}' is listed twice", feature_name));
    }
    ids.push_back(*id);
  }
  return FeatureSet(std::move(set_name), std::move(ids));
}

std::vector<std::string> FeatureSet::names() const {
  std::vector<std::string> result;
  result.reserve(ids_.size());
  for (const FeatureId id : ids_) {
    result.emplace_back(info(id).name);
  }
  return result;
}

std::optional<std::size_t> FeatureSet::index_of(std::string_view feature_name) const noexcept {
  const std::optional<FeatureId> id = find_feature(feature_name);
  return id ? index_of(*id) : std::nullopt;
}

std::optional<std::size_t> FeatureSet::index_of(FeatureId feature) const noexcept {
  const auto found = std::find(ids_.begin(), ids_.end(), feature);
  if (found == ids_.end()) {
    return std::nullopt;
  }
  return static_cast<std::size_t>(found - ids_.begin());
}

}  // namespace trackpurity::features
