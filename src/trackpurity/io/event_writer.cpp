#include "trackpurity/io/event_writer.hpp"

#include <filesystem>
#include <set>
#include <stdexcept>
#include <system_error>
#include <utility>

#include <H5Cpp.h>
#include <nlohmann/json.hpp>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/version.hpp"
#include "trackpurity/io/detail/hdf5.hpp"
#include "trackpurity/io/detail/schema.hpp"
#include "trackpurity/io/detail/table_writer.hpp"

namespace trackpurity::io {

namespace {

// A chunk must stay below HDF5's 4 GiB chunk limit for the widest column (8 bytes).
constexpr std::uint64_t kMaxChunkRows = std::uint64_t{1} << 28;

bool is_valid_column_name(const std::string& name) {
  if (name.empty() || name == "." || name == "..") {
    return false;
  }
  return name.find('/') == std::string::npos;
}

}  // namespace

void EventWriterConfig::validate() const {
  if (!nlohmann::json::accept(configuration)) {
    throw ConfigError("event writer: configuration is not valid JSON (expected a JSON document)");
  }
  if (flush_rows == 0) {
    throw ConfigError("event writer: flush_rows must be at least 1");
  }
  if (chunk_rows == 0 || chunk_rows > kMaxChunkRows) {
    throw ConfigError("event writer: chunk_rows is " + std::to_string(chunk_rows) +
                      ", expected 1 to " + std::to_string(kMaxChunkRows));
  }
  if (deflate_level < 0 || deflate_level > 9) {
    throw ConfigError("event writer: deflate_level is " + std::to_string(deflate_level) +
                      ", expected 0 to 9");
  }
  if (!tables.tracks && (tables.track_truth || tables.track_hits || tables.track_hit_pattern)) {
    throw ConfigError(
        "event writer: tables.track_truth, track_hits and track_hit_pattern need tables.tracks");
  }
  if (!tables.tracks && !extra_track_columns.empty()) {
    throw ConfigError("event writer: extra track columns need tables.tracks");
  }
  std::set<std::string, std::less<>> seen;
  for (const ExtraColumnSpec& spec : extra_track_columns) {
    if (!is_valid_column_name(spec.name)) {
      throw ConfigError("event writer: invalid extra column name '" + spec.name +
                        "' (expected a non-empty name without '/')");
    }
    if (is_standard_track_column(spec.name)) {
      throw ConfigError("event writer: extra column '" + spec.name +
                        "' has the name of a standard column of tracks");
    }
    if (!seen.insert(spec.name).second) {
      throw ConfigError("event writer: extra column '" + spec.name + "' is declared twice");
    }
  }
}

struct EventWriter::Impl {
  std::string path;
  std::string partial_path;
  EventWriterConfig config;
  H5::H5File file;
  std::vector<std::unique_ptr<detail::TableWriter>> tables;
  detail::TableWriter* events = nullptr;
  detail::TableWriter* particles = nullptr;
  detail::TableWriter* hits = nullptr;
  detail::TableWriter* tracks = nullptr;
  detail::TableWriter* track_hits = nullptr;
  detail::TableWriter* track_hit_pattern = nullptr;
  detail::TableWriter* vertices = nullptr;
  std::uint64_t event_count = 0;
  bool closed = false;
  bool failed = false;

  detail::TableWriter* add_table(std::string_view name, std::vector<detail::ColumnDef> columns,
                                 bool with_event_offset) {
    const detail::StorageOptions storage{config.chunk_rows, config.deflate_level};
    tables.push_back(std::make_unique<detail::TableWriter>(file, std::string(name),
                                                           std::move(columns), with_event_offset,
                                                           storage));
    return tables.back().get();
  }

  void create_file();
  void check_event(const edm::Event& event, const ExtraTrackColumns& extras) const;
  void append_event(const edm::Event& event, const ExtraTrackColumns& extras);
  void release_file() noexcept;
};

void EventWriter::Impl::create_file() {
  file = H5::H5File(partial_path, H5F_ACC_TRUNC, detail::make_file_creation_list());

  detail::write_string_attribute(file, "format", std::string(kFormatName));
  detail::write_int64_attribute(file, "format_version", kFormatVersion);
  detail::write_string_attribute(file, "program_version", std::string(program_version()));
  detail::write_string_attribute(file, "configuration", config.configuration);
  detail::write_uint64_attribute(file, "seed", config.seed);

  events = add_table(kEventsGroup, detail::event_columns(), false);
  const TableMask& mask = config.tables;
  if (mask.particles) {
    particles = add_table(kParticlesGroup, detail::particle_columns(), true);
  }
  if (mask.hits) {
    hits = add_table(kHitsGroup, detail::hit_columns(), true);
  }
  if (mask.tracks) {
    std::vector<detail::ColumnDef> columns = detail::track_columns();
    if (mask.track_truth) {
      for (auto& column : detail::track_truth_columns()) {
        columns.push_back(std::move(column));
      }
    }
    for (const ExtraColumnSpec& spec : config.extra_track_columns) {
      const auto type = spec.type == ExtraColumnType::kFloat32 ? detail::ScalarType::kFloat32
                                                               : detail::ScalarType::kUInt8;
      columns.push_back({spec.name, type});
    }
    tracks = add_table(kTracksGroup, std::move(columns), true);
  }
  if (mask.track_hits) {
    track_hits = add_table(kTrackHitsGroup, detail::track_hit_columns(), true);
  }
  if (mask.track_hit_pattern) {
    track_hit_pattern = add_table(kTrackHitPatternGroup, detail::hit_pattern_columns(), true);
  }
  if (mask.vertices) {
    vertices = add_table(kVerticesGroup, detail::vertex_columns(), true);
  }
}

void EventWriter::Impl::check_event(const edm::Event& event,
                                    const ExtraTrackColumns& extras) const {
  const std::string where = "event " + std::to_string(event.number) + ": ";
  const std::size_t track_count = event.tracks.size();
  if (tracks != nullptr && config.tables.track_truth && event.track_truth.size() != track_count) {
    throw std::invalid_argument(where + std::to_string(track_count) + " tracks but " +
                                std::to_string(event.track_truth.size()) +
                                " truth entries; turn off tables.track_truth to write tracks "
                                "without truth");
  }
  for (const ExtraColumnSpec& spec : config.extra_track_columns) {
    const auto found = extras.find(spec.name);
    if (found == extras.end()) {
      throw std::invalid_argument(where + "missing values for extra column '" + spec.name + "'");
    }
    if (type_of(found->second) != spec.type) {
      throw std::invalid_argument(where + "extra column '" + spec.name + "' is declared " +
                                  std::string(to_string(spec.type)) + " but has " +
                                  std::string(to_string(type_of(found->second))) + " values");
    }
    if (size_of(found->second) != track_count) {
      throw std::invalid_argument(where + "extra column '" + spec.name + "' has " +
                                  std::to_string(size_of(found->second)) + " values for " +
                                  std::to_string(track_count) + " tracks");
    }
  }
  if (extras.size() != config.extra_track_columns.size()) {
    for (const auto& [name, values] : extras) {
      bool declared = false;
      for (const ExtraColumnSpec& spec : config.extra_track_columns) {
        declared = declared || spec.name == name;
      }
      if (!declared) {
        throw std::invalid_argument(where + "extra column '" + name +
                                    "' is not declared in the writer config");
      }
    }
  }
}

void EventWriter::Impl::append_event(const edm::Event& event, const ExtraTrackColumns& extras) {
  detail::RowAppender event_row{&events->buffers()};
  detail::visit_event_fields(event, event_row);

  if (particles != nullptr) {
    for (const edm::Particle& particle : event.particles) {
      detail::RowAppender row{&particles->buffers()};
      detail::visit_particle(particle, row);
    }
    particles->end_event();
  }

  if (hits != nullptr) {
    for (const edm::Hit& hit : event.hits) {
      detail::RowAppender row{&hits->buffers()};
      detail::visit_hit(hit, row);
    }
    hits->end_event();
  }

  if (tracks != nullptr) {
    for (std::size_t i = 0; i < event.tracks.size(); ++i) {
      const edm::Track& track = event.tracks[i];
      detail::RowAppender row{&tracks->buffers()};
      detail::visit_track(track, row);
      row(detail::kHitCountColumn, static_cast<std::uint32_t>(track.hits.size()));
      row(detail::kPatternCountColumn, static_cast<std::uint32_t>(track.hit_pattern.size()));
      if (config.tables.track_truth) {
        detail::visit_track_truth(event.track_truth[i], row);
      }
      for (const ExtraColumnSpec& spec : config.extra_track_columns) {
        const ExtraColumnValues& values = extras.find(spec.name)->second;
        if (spec.type == ExtraColumnType::kFloat32) {
          row(spec.name, std::get<std::vector<float>>(values)[i]);
        } else {
          row(spec.name, std::get<std::vector<std::uint8_t>>(values)[i]);
        }
      }
    }
    tracks->end_event();
  }

  if (track_hits != nullptr) {
    for (const edm::Track& track : event.tracks) {
      for (const std::uint32_t hit_id : track.hits) {
        detail::RowAppender row{&track_hits->buffers()};
        detail::visit_track_hit(hit_id, row);
      }
    }
    track_hits->end_event();
  }

  if (track_hit_pattern != nullptr) {
    for (const edm::Track& track : event.tracks) {
      for (const edm::HitPatternEntry& entry : track.hit_pattern) {
        detail::RowAppender row{&track_hit_pattern->buffers()};
        detail::visit_hit_pattern_entry(entry, row);
      }
    }
    track_hit_pattern->end_event();
  }

  if (vertices != nullptr) {
    for (const edm::Vertex& vertex : event.vertices) {
      detail::RowAppender row{&vertices->buffers()};
      detail::visit_vertex(vertex, row);
    }
    vertices->end_event();
  }

  for (auto& table : tables) {
    table->flush_if_full(config.flush_rows);
  }
}

void EventWriter::Impl::release_file() noexcept {
  try {
    tables.clear();
    file.close();
  } catch (const H5::Exception&) {
    // The file is being discarded; a failure to close it changes nothing.
  }
}

EventWriter::EventWriter(std::string path, EventWriterConfig config)
    : impl_(std::make_unique<Impl>()) {
  config.validate();
  impl_->path = std::move(path);
  impl_->partial_path = impl_->path + ".partial";
  impl_->config = std::move(config);
  detail::silence_hdf5_errors();
  try {
    impl_->create_file();
  } catch (const H5::Exception& error) {
    const std::string detail = detail::hdf5_error_detail(error.getDetailMsg());
    impl_->release_file();
    std::error_code ignored;
    std::filesystem::remove(impl_->partial_path, ignored);
    throw FileError(impl_->partial_path, "", "cannot create the event file: " + detail);
  }
  logging::get("io")->debug("writing events to {}", impl_->partial_path);
}

EventWriter::~EventWriter() {
  if (!impl_ || impl_->closed) {
    return;
  }
  impl_->release_file();
  std::error_code ignored;
  std::filesystem::remove(impl_->partial_path, ignored);
  logging::get("io")->debug("removed the unfinished file {} after {} events", impl_->partial_path,
                            impl_->event_count);
}

EventWriter::EventWriter(EventWriter&&) noexcept = default;

EventWriter& EventWriter::operator=(EventWriter&& other) noexcept {
  if (this != &other) {
    EventWriter discarded(std::move(*this));
    impl_ = std::move(other.impl_);
  }
  return *this;
}

void EventWriter::write(const edm::Event& event, const ExtraTrackColumns& extras) {
  if (impl_->closed) {
    throw std::logic_error("EventWriter::write called after close() for " + impl_->path);
  }
  if (impl_->failed) {
    throw FileError(impl_->partial_path, "", "an earlier write failed; the file is incomplete");
  }
  impl_->check_event(event, extras);
  try {
    impl_->append_event(event, extras);
  } catch (const H5::Exception& error) {
    impl_->failed = true;
    throw FileError(impl_->partial_path, "",
                    "cannot write event " + std::to_string(event.number) + ": " +
                        detail::hdf5_error_detail(error.getDetailMsg()));
  }
  ++impl_->event_count;
}

void EventWriter::close() {
  if (impl_->closed) {
    throw std::logic_error("EventWriter::close called twice for " + impl_->path);
  }
  if (impl_->failed) {
    throw FileError(impl_->partial_path, "", "an earlier write failed; the file is incomplete");
  }
  try {
    for (auto& table : impl_->tables) {
      table->flush();
    }
    detail::write_uint64_attribute(impl_->file, "event_count", impl_->event_count);
    impl_->tables.clear();
    impl_->file.close();
  } catch (const H5::Exception& error) {
    impl_->failed = true;
    throw FileError(impl_->partial_path, "",
                    "cannot finish the event file: " +
                        detail::hdf5_error_detail(error.getDetailMsg()));
  }
  std::error_code rename_error;
  std::filesystem::rename(impl_->partial_path, impl_->path, rename_error);
  if (rename_error) {
    impl_->failed = true;
    throw FileError(impl_->path, "",
                    "cannot rename " + impl_->partial_path + " to it: " + rename_error.message());
  }
  impl_->closed = true;
  logging::get("io")->debug("wrote {} events to {}", impl_->event_count, impl_->path);
}

const std::string& EventWriter::path() const noexcept { return impl_->path; }

std::string EventWriter::partial_path() const { return impl_->partial_path; }

std::uint64_t EventWriter::event_count() const noexcept { return impl_->event_count; }

namespace {

const detail::TableWriter* find_table(
    const std::vector<std::unique_ptr<detail::TableWriter>>& tables, std::string_view group) {
  for (const auto& table : tables) {
    if (table->name() == group) {
      return table.get();
    }
  }
  return nullptr;
}

}  // namespace

std::uint64_t EventWriter::rows_buffered(std::string_view group) const {
  const detail::TableWriter* table = find_table(impl_->tables, group);
  return table != nullptr ? table->rows_buffered() : 0;
}

std::uint64_t EventWriter::rows_written(std::string_view group) const {
  const detail::TableWriter* table = find_table(impl_->tables, group);
  return table != nullptr ? table->rows_written() : 0;
}

}  // namespace trackpurity::io
