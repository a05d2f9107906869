#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "trackpurity/features/feature.hpp"

namespace trackpurity::features {

// An ordered list of distinct features: the columns of a FeatureTable and the
// inputs of a model, in that order.
class FeatureSet {
 public:
  // The 15 inputs of the CMS Phase-2 HLT track DNN: dxy_bs, dz_bs, dxy_error,
  // dz_error, normalized_chi2, eta, phi, eta_error, phi_error, ndof,
  // lost_inner_hits, lost_outer_hits, layers_without_measurement,
  // valid_pixel_hits, valid_strip_hits.
  static FeatureSet hlt15();

  // hlt15 followed by the 14 other inputs of the CMS TrackTfClassifier: pt,
  // pt_error, inner_px, inner_py, inner_pz, inner_pt, outer_px, outer_py,
  // outer_pz, outer_pt, dxy_pv, dz_pv, layers_off_inner, layers_off_outer.
  static FeatureSet full29();

  // Returns a predefined set by name ("hlt15", "full29"). Throws ConfigError
  // naming the unknown set and the known ones.
  static FeatureSet by_name(std::string_view set_name);

  // A user-chosen list, for ablation studies. Throws ConfigError when the list
  // is empty, names an unknown feature or names a feature twice.
  static FeatureSet from_names(const std::vector<std::string>& feature_names,
                               std::string set_name = "custom");

  const std::string& name() const noexcept { return name_; }
  std::size_t size() const noexcept { return ids_.size(); }
  std::span<const FeatureId> ids() const noexcept { return ids_; }
  FeatureId id(std::size_t column) const { return ids_.at(column); }
  std::vector<std::string> names() const;

  // Column of feature `feature_name`, or nothing when the set lacks it.
  std::optional<std::size_t> index_of(std::string_view feature_name) const noexcept;
  std::optional<std::size_t> index_of(FeatureId feature) const noexcept;

  friend bool operator==(const FeatureSet&, const FeatureSet&) = default;

 private:
  FeatureSet(std::string name, std::vector<FeatureId> ids);

  std::string name_;
  std::vector<FeatureId> ids_;
};

}  // namespace trackpurity::features
