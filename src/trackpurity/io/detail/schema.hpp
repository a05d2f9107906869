#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "trackpurity/edm/event.hpp"
#include "trackpurity/io/detail/hdf5.hpp"

// The column layout of every table, written once per edm type as a visitor
// over its members: visit_x(object, column) calls column(name, member) for
// each stored member in file order. The same function lists the schema,
// appends rows when writing and fills objects when reading, so the three
// cannot disagree.

namespace trackpurity::io::detail {

// The scalar that stores a member of type T: enums as their underlying type,
// bool as uint8, numbers as themselves.
template <typename T>
struct Stored {
  using type = T;
};
template <>
struct Stored<bool> {
  using type = std::uint8_t;
};
template <typename T>
  requires std::is_enum_v<T>
struct Stored<T> {
  using type = std::underlying_type_t<T>;
};
template <typename T>
using stored_t = typename Stored<std::remove_const_t<T>>::type;

struct ColumnDef {
  std::string name;
  ScalarType type = ScalarType::kFloat64;
};

// Visitor that lists the columns: name and stored type.
struct SchemaCollector {
  std::vector<ColumnDef> columns;

  template <typename T>
  void operator()(std::string_view name, const T& /*member*/) {
    columns.push_back({std::string(name), scalar_type_for<stored_t<T>>()});
  }
};

template <typename E, typename V>
void visit_event_fields(E& event, V& column) {
  column("number", event.number);
  column("collisions", event.collisions);
  column("beam_spot_x", event.beam_spot.position.x);
  column("beam_spot_y", event.beam_spot.position.y);
  column("beam_spot_z", event.beam_spot.position.z);
  column("beam_spot_sigma_x", event.beam_spot.sigma_x);
  column("beam_spot_sigma_y", event.beam_spot.sigma_y);
  column("beam_spot_sigma_z", event.beam_spot.sigma_z);
}

template <typename P, typename V>
void visit_particle(P& particle, V& column) {
  column("id", particle.id);
  column("collision", particle.collision);
  column("pdg_id", particle.pdg_id);
  column("charge", particle.charge);
  column("vertex_x", particle.vertex.x);
  column("vertex_y", particle.vertex.y);
  column("vertex_z", particle.vertex.z);
  column("momentum_x", particle.momentum.x);
  column("momentum_y", particle.momentum.y);
  column("momentum_z", particle.momentum.z);
  column("parent", particle.parent);
  column("process", particle.process);
}

template <typename H, typename V>
void visit_hit(H& hit, V& column) {
  column("id", hit.id);
  column("module_id", hit.module_id);
  column("layer_id", hit.layer_id);
  column("subdetector", hit.subdetector);
  column("layer", hit.layer);
  column("position_x", hit.position.x);
  column("position_y", hit.position.y);
  column("position_z", hit.position.z);
  column("sigma_u", hit.sigma_u);
  column("sigma_v", hit.sigma_v);
  column("particle", hit.particle);
  column("true_position_x", hit.true_position.x);
  column("true_position_y", hit.true_position.y);
  column("true_position_z", hit.true_position.z);
}

// Column names of the track parameters, in ParameterIndex order.
inline constexpr std::array<std::string_view, edm::eParameterCount> kParameterNames = {
    "qoverp", "lambda", "phi", "dxy", "dsz"};

// "cov_<row>_<column>" for the 15 entries of the upper triangle, row-major.
const std::array<std::string, 15>& covariance_column_names();

// Row-major index into TrackCovariance::values of the k-th upper-triangle entry.
constexpr std::array<std::uint8_t, 15> kUpperTriangleIndices = {0,  1,  2,  3,  4,  6,  7, 8,
                                                                9,  12, 13, 14, 18, 19, 24};

// The stored members of a track, without its hit list, pattern and truth. The
// covariance stores its upper triangle; readers mirror it into the lower one.
template <typename T, typename V>
void visit_track(T& track, V& column) {
  for (std::size_t i = 0; i < kParameterNames.size(); ++i) {
    column(kParameterNames[i], track.parameters[i]);
  }
  const auto& covariance_names = covariance_column_names();
  for (std::size_t k = 0; k < kUpperTriangleIndices.size(); ++k) {
    column(covariance_names[k], track.covariance.values[kUpperTriangleIndices[k]]);
  }
  column("reference_point_x", track.reference_point.x);
  column("reference_point_y", track.reference_point.y);
  column("reference_point_z", track.reference_point.z);
  column("charge", track.charge);
  column("chi2", track.chi2);
  column("ndof", track.ndof);
  column("iteration", track.iteration);
  column("inner_momentum_x", track.inner_momentum.x);
  column("inner_momentum_y", track.inner_momentum.y);
  column("inner_momentum_z", track.inner_momentum.z);
  column("outer_momentum_x", track.outer_momentum.x);
  column("outer_momentum_y", track.outer_momentum.y);
  column("outer_momentum_z", track.outer_momentum.z);
}

// Per-track lengths of the hit list and the hit pattern, stored after the
// track members in `tracks`.
inline constexpr std::string_view kHitCountColumn = "hit_count";
inline constexpr std::string_view kPatternCountColumn = "pattern_count";

template <typename T, typename V>
void visit_track_truth(T& truth, V& column) {
  column("truth_particle", truth.particle);
  column("truth_shared_fraction", truth.shared_fraction);
  column("truth_genuine", truth.genuine);
  column("truth_duplicate", truth.duplicate);
}

template <typename H, typename V>
void visit_track_hit(H& hit_id, V& column) {
  column("hit", hit_id);
}

template <typename E, typename V>
void visit_hit_pattern_entry(E& entry, V& column) {
  column("subdetector", entry.subdetector);
  column("layer", entry.layer);
  column("type", entry.type);
}

template <typename X, typename V>
void visit_vertex(X& vertex, V& column) {
  column("position_x", vertex.position.x);
  column("position_y", vertex.position.y);
  column("position_z", vertex.position.z);
  column("sigma_z", vertex.sigma_z);
  column("track_count", vertex.track_count);
  column("sum_pt2", vertex.sum_pt2);
}

// Column lists of each table, in file order.
std::vector<ColumnDef> event_columns();
std::vector<ColumnDef> particle_columns();
std::vector<ColumnDef> hit_columns();
// Track members plus hit_count and pattern_count.
std::vector<ColumnDef> track_columns();
std::vector<ColumnDef> track_truth_columns();
std::vector<ColumnDef> track_hit_columns();
std::vector<ColumnDef> hit_pattern_columns();
std::vector<ColumnDef> vertex_columns();

// Whether a raw stored value is a defined value of the enum. The reader
// rejects any other value so that no unnamed enumerator reaches the caller.
bool is_known_value(edm::Subdetector, std::uint8_t raw) noexcept;
bool is_known_value(edm::HitType, std::uint8_t raw) noexcept;
bool is_known_value(edm::Iteration, std::uint8_t raw) noexcept;
bool is_known_value(edm::CreationProcess, std::uint8_t raw) noexcept;

// Visitor that appends the members of one object as one row of `columns`.
struct RowAppender {
  std::vector<ColumnBuffer>* columns = nullptr;
  std::size_t index = 0;

  template <typename T>
  void operator()(std::string_view /*name*/, const T& member) {
    (*columns)[index++].push(static_cast<stored_t<T>>(member));
  }
};

}  // namespace trackpurity::io::detail
