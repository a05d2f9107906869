#include "trackpurity/io/event_file.hpp"

#include <algorithm>

#include "trackpurity/io/detail/schema.hpp"

namespace trackpurity::io {

TableMask TableMask::simulation() {
  TableMask mask;
  mask.tracks = false;
  mask.track_truth = false;
  mask.track_hits = false;
  mask.track_hit_pattern = false;
  mask.vertices = false;
  return mask;
}

TableMask TableMask::tracks_without_hits() {
  TableMask mask;
  mask.particles = false;
  mask.hits = false;
  mask.track_hits = false;
  return mask;
}

TableMask TableMask::intersect(const TableMask& other) const {
  TableMask mask;
  mask.particles = particles && other.particles;
  mask.hits = hits && other.hits;
  mask.tracks = tracks && other.tracks;
  mask.track_truth = track_truth && other.track_truth;
  mask.track_hits = track_hits && other.track_hits;
  mask.track_hit_pattern = track_hit_pattern && other.track_hit_pattern;
  mask.vertices = vertices && other.vertices;
  return mask;
}

std::string_view to_string(ExtraColumnType type) noexcept {
  switch (type) {
    case ExtraColumnType::kFloat32:
      return "float32";
    case ExtraColumnType::kUInt8:
      return "uint8";
  }
  return "unknown";
}

ExtraColumnType type_of(const ExtraColumnValues& values) noexcept {
  return std::holds_alternative<std::vector<float>>(values) ? ExtraColumnType::kFloat32
                                                            : ExtraColumnType::kUInt8;
}

std::size_t size_of(const ExtraColumnValues& values) noexcept {
  return std::visit([](const auto& column) { return column.size(); }, values);
}

namespace {

std::vector<std::string> names_of(const std::vector<detail::ColumnDef>& columns) {
  std::vector<std::string> names;
  names.reserve(columns.size());
  for (const auto& column : columns) {
    names.push_back(column.name);
  }
  return names;
}

}  // namespace

std::vector<std::string> standard_columns(std::string_view group) {
  if (group == kEventsGroup) {
    return names_of(detail::event_columns());
  }
  if (group == kParticlesGroup) {
    return names_of(detail::particle_columns());
  }
  if (group == kHitsGroup) {
    return names_of(detail::hit_columns());
  }
  if (group == kTracksGroup) {
    std::vector<std::string> names = names_of(detail::track_columns());
    for (const auto& truth : detail::track_truth_columns()) {
      names.push_back(truth.name);
    }
    return names;
  }
  if (group == kTrackHitsGroup) {
    return names_of(detail::track_hit_columns());
  }
  if (group == kTrackHitPatternGroup) {
    return names_of(detail::hit_pattern_columns());
  }
  if (group == kVerticesGroup) {
    return names_of(detail::vertex_columns());
  }
  return {};
}

bool is_standard_track_column(std::string_view name) {
  static const std::vector<std::string> names = standard_columns(kTracksGroup);
  return name == kEventOffsetColumn || std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace trackpurity::io
