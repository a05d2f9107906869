#include "trackpurity/io/detail/schema.hpp"

namespace trackpurity::io::detail {

const std::array<std::string, 15>& covariance_column_names() {
  static const std::array<std::string, 15> names = [] {
    std::array<std::string, 15> result;
    std::size_t k = 0;
    for (std::size_t row = 0; row < kParameterNames.size(); ++row) {
      for (std::size_t column = row; column < kParameterNames.size(); ++column) {
        result[k++] = "cov_" + std::string(kParameterNames[row]) + "_" +
                      std::string(kParameterNames[column]);
      }
    }
    return result;
  }();
  return names;
}

std::vector<ColumnDef> event_columns() {
  SchemaCollector collector;
  const edm::Event event;
  visit_event_fields(event, collector);
  return collector.columns;
}

std::vector<ColumnDef> particle_columns() {
  SchemaCollector collector;
  const edm::Particle particle;
  visit_particle(particle, collector);
  return collector.columns;
}

std::vector<ColumnDef> hit_columns() {
  SchemaCollector collector;
  const edm::Hit hit;
  visit_hit(hit, collector);
  return collector.columns;
}

std::vector<ColumnDef> track_columns() {
  SchemaCollector collector;
  const edm::Track track;
  visit_track(track, collector);
  const std::uint32_t count = 0;
  collector(kHitCountColumn, count);
  collector(kPatternCountColumn, count);
  return collector.columns;
}

std::vector<ColumnDef> track_truth_columns() {
  SchemaCollector collector;
  const edm::TrackTruth truth;
  visit_track_truth(truth, collector);
  return collector.columns;
}

std::vector<ColumnDef> track_hit_columns() {
  SchemaCollector collector;
  const std::uint32_t hit_id = 0;
  visit_track_hit(hit_id, collector);
  return collector.columns;
}

std::vector<ColumnDef> hit_pattern_columns() {
  SchemaCollector collector;
  const edm::HitPatternEntry entry;
  visit_hit_pattern_entry(entry, collector);
  return collector.columns;
}

std::vector<ColumnDef> vertex_columns() {
  SchemaCollector collector;
  const edm::Vertex vertex;
  visit_vertex(vertex, collector);
  return collector.columns;
}

bool is_known_value(edm::Subdetector, std::uint8_t raw) noexcept {
  return edm::is_valid_subdetector(raw);
}

bool is_known_value(edm::HitType, std::uint8_t raw) noexcept {
  return raw <= static_cast<std::uint8_t>(edm::HitType::kBad);
}

bool is_known_value(edm::Iteration, std::uint8_t raw) noexcept {
  return raw <= static_cast<std::uint8_t>(edm::Iteration::kDisplaced);
}

bool is_known_value(edm::CreationProcess, std::uint8_t raw) noexcept {
  return raw <= static_cast<std::uint8_t>(edm::CreationProcess::kHadronic);
}

}  // namespace trackpurity::io::detail
