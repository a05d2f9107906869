#include "trackpurity/io/event_reader.hpp"

#include <algorithm>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include <H5Cpp.h>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/io/detail/hdf5.hpp"
#include "trackpurity/io/detail/schema.hpp"

namespace trackpurity::io {

namespace {

using detail::ColumnBuffer;
using detail::ColumnDef;
using detail::ScalarType;

std::string field_name(const std::string& group, const std::string& column) {
  return group + "/" + column;
}

// One table group opened for reading: its datasets in schema order and, for
// per-event tables, the event offsets held in memory.
struct TableReader {
  std::string name;
  H5::Group group;
  std::vector<ColumnDef> columns;
  std::vector<H5::DataSet> datasets;
  std::vector<std::uint64_t> offsets;  // events + 1 entries; empty for `events`
  std::uint64_t rows = 0;

  std::uint64_t first_row(std::uint64_t event) const { return offsets[event]; }
  std::uint64_t row_count(std::uint64_t event) const {
    return offsets[event + 1] - offsets[event];
  }

  // Reads rows [begin, begin + count) of the first `column_count` columns.
  void read(std::uint64_t begin, std::uint64_t count, std::size_t column_count,
            std::vector<ColumnBuffer>& buffers) const {
    buffers.clear();
    for (std::size_t i = 0; i < column_count; ++i) {
      buffers.emplace_back(columns[i].type);
      detail::read_rows(datasets[i], begin, count, buffers.back());
    }
  }
};

// Visitor that sets the members of one object from row `row` of `columns`,
// rejecting enum values that the edm does not define.
struct RowFiller {
  const std::vector<ColumnBuffer>* columns = nullptr;
  std::size_t row = 0;
  std::size_t index = 0;
  const std::string* path = nullptr;
  const std::string* group = nullptr;
  std::uint64_t file_row = 0;  // row number in the file, for messages

  template <typename T>
  void operator()(std::string_view name, T& member) {
    using Raw = detail::stored_t<T>;
    const Raw raw = (*columns)[index++].template get<Raw>(row);
    if constexpr (std::is_enum_v<T>) {
      if (!detail::is_known_value(T{}, raw)) {
        throw FileError(*path, field_name(*group, std::string(name)),
                        "row " + std::to_string(file_row) + " has value " +
                            std::to_string(static_cast<unsigned>(raw)) +
                            ", which is not a defined value");
      }
      member = static_cast<T>(raw);
    } else if constexpr (std::is_same_v<T, bool>) {
      member = raw != 0;
    } else {
      member = raw;
    }
  }
};

// Opens dataset `column` of a table and checks its rank and element type.
H5::DataSet open_column(const std::string& path, const TableReader& table,
                        const ColumnDef& column) {
  const std::string field = field_name(table.name, column.name);
  if (!detail::has_member(table.group, column.name)) {
    throw FileError(path, field,
                    "missing column (expected a 1-D " +
                        std::string(detail::to_string(column.type)) + " dataset)");
  }
  H5::DataSet dataset = table.group.openDataSet(column.name);
  if (detail::dataset_rank(dataset) != 1) {
    throw FileError(path, field,
                    "has rank " + std::to_string(detail::dataset_rank(dataset)) +
                        ", expected a 1-D dataset");
  }
  const auto type = detail::scalar_type_of(dataset.getDataType());
  if (type != column.type) {
    throw FileError(path, field,
                    "has type " + detail::describe_type(dataset.getDataType()) + ", expected " +
                        std::string(detail::to_string(column.type)));
  }
  return dataset;
}

// Checks that column `column` has exactly table.rows rows: the last event
// offset, or the event count for `events`.
void check_column_length(const std::string& path, const TableReader& table, std::size_t column) {
  const std::string field = field_name(table.name, table.columns[column].name);
  const std::uint64_t length = detail::dataset_length(table.datasets[column]);
  if (table.offsets.empty()) {
    if (length != table.rows) {
      throw FileError(path, field,
                      "has " + std::to_string(length) + " rows, expected " +
                          std::to_string(table.rows) + " (the event_count attribute)");
    }
    return;
  }
  if (length < table.rows) {
    throw FileError(path, field_name(table.name, std::string(kEventOffsetColumn)),
                    "ends at row " + std::to_string(table.rows) + ", past the end of " + field +
                        " (" + std::to_string(length) + " rows)");
  }
  if (length > table.rows) {
    throw FileError(path, field,
                    "has " + std::to_string(length) + " rows, expected " +
                        std::to_string(table.rows) + " (the last event offset)");
  }
}

// Reads and checks event_offset: events + 1 entries, 0 first, non-decreasing.
std::vector<std::uint64_t> read_offsets(const std::string& path, const TableReader& table,
                                        std::uint64_t event_count) {
  const ColumnDef offset_column{std::string(kEventOffsetColumn), ScalarType::kUInt64};
  const std::string field = field_name(table.name, offset_column.name);
  const H5::DataSet dataset = open_column(path, table, offset_column);
  const std::uint64_t length = detail::dataset_length(dataset);
  if (length != event_count + 1) {
    throw FileError(path, field,
                    "has " + std::to_string(length) + " entries, expected " +
                        std::to_string(event_count + 1) + " (events + 1)");
  }
  ColumnBuffer buffer(ScalarType::kUInt64);
  detail::read_rows(dataset, 0, length, buffer);
  std::vector<std::uint64_t> offsets(length);
  for (std::uint64_t i = 0; i < length; ++i) {
    offsets[i] = buffer.get<std::uint64_t>(i);
  }
  if (offsets.front() != 0) {
    throw FileError(path, field, "starts at " + std::to_string(offsets.front()) + ", expected 0");
  }
  for (std::uint64_t i = 1; i < length; ++i) {
    if (offsets[i] < offsets[i - 1]) {
      throw FileError(path, field,
                      "decreases from " + std::to_string(offsets[i - 1]) + " to " +
                          std::to_string(offsets[i]) + " at event " + std::to_string(i - 1) +
                          ", expected non-decreasing offsets");
    }
  }
  return offsets;
}

}  // namespace

struct EventReader::Impl {
  std::string path;
  H5::H5File file;
  FileAttributes attributes;
  TableMask available;
  std::optional<TableReader> events;
  std::optional<TableReader> particles;
  std::optional<TableReader> hits;
  std::optional<TableReader> tracks;
  std::optional<TableReader> track_hits;
  std::optional<TableReader> track_hit_pattern;
  std::optional<TableReader> vertices;
  std::size_t track_member_columns = 0;  // standard track columns before the truth ones
  std::size_t track_truth_columns = 0;
  std::vector<ExtraColumnSpec> extra_columns;
  std::vector<H5::DataSet> extra_datasets;

  void open_file();
  void read_attributes();
  std::optional<TableReader> open_table(std::string_view name, std::vector<ColumnDef> columns,
                                        bool per_event);
  void open_tables();
  void find_track_truth_and_extras();
  edm::Event read_event(std::uint64_t index, const TableMask& mask) const;
  void read_tracks(std::uint64_t index, const TableMask& mask, edm::Event& event) const;
  const TableReader* table_by_name(std::string_view name) const;
};

void EventReader::Impl::open_file() {
  std::error_code status_error;
  if (!std::filesystem::exists(path, status_error)) {
    throw FileError(path, "", "file not found");
  }
  if (!std::filesystem::is_regular_file(path, status_error)) {
    throw FileError(path, "", "not a regular file (expected an HDF5 event file)");
  }
  bool is_hdf5 = false;
  try {
    is_hdf5 = H5::H5File::isHdf5(path);
  } catch (const H5::Exception& error) {
    throw FileError(path, "", "cannot read the file: " + detail::hdf5_error_detail(error.getDetailMsg()));
  }
  if (!is_hdf5) {
    throw FileError(path, "", "not an HDF5 file (expected an HDF5 event file with format \"" +
                                  std::string(kFormatName) + "\")");
  }
  try {
    file = H5::H5File(path, H5F_ACC_RDONLY);
  } catch (const H5::Exception& error) {
    throw FileError(path, "",
                    "cannot open the HDF5 file (damaged or truncated?): " +
                        detail::hdf5_error_detail(error.getDetailMsg()));
  }
}

void EventReader::Impl::read_attributes() {
  const auto format = detail::read_string_attribute(file, "format");
  if (!format) {
    throw FileError(path, "format",
                    "missing attribute (expected \"" + std::string(kFormatName) + "\")");
  }
  if (*format != kFormatName) {
    throw FileError(path, "format",
                    "is \"" + *format + "\", expected \"" + std::string(kFormatName) + "\"");
  }
  const auto version = detail::read_int64_attribute(file, "format_version");
  if (!version) {
    throw FileError(path, "format_version",
                    "missing attribute (expected " + std::to_string(kFormatVersion) + ")");
  }
  if (*version != kFormatVersion) {
    throw FileError(path, "format_version",
                    "is " + std::to_string(*version) + ", expected " +
                        std::to_string(kFormatVersion) +
                        " (the only version this program reads)");
  }
  attributes.format_version = *version;

  const auto program_version = detail::read_string_attribute(file, "program_version");
  const auto configuration = detail::read_string_attribute(file, "configuration");
  const auto seed = detail::read_uint64_attribute(file, "seed");
  const auto event_count = detail::read_uint64_attribute(file, "event_count");
  if (!program_version) {
    throw FileError(path, "program_version", "missing attribute (expected a string)");
  }
  if (!configuration) {
    throw FileError(path, "configuration", "missing attribute (expected a JSON string)");
  }
  if (!seed) {
    throw FileError(path, "seed", "missing attribute (expected an unsigned integer)");
  }
  if (!event_count) {
    throw FileError(path, "event_count",
                    "missing attribute (expected an unsigned integer; an unfinished write?)");
  }
  attributes.program_version = *program_version;
  attributes.configuration = *configuration;
  attributes.seed = *seed;
  attributes.event_count = *event_count;
}

std::optional<TableReader> EventReader::Impl::open_table(std::string_view name,
                                                         std::vector<ColumnDef> columns,
                                                         bool per_event) {
  TableReader table;
  table.name = std::string(name);
  if (!detail::has_member(file, table.name)) {
    return std::nullopt;
  }
  table.group = file.openGroup(table.name);
  table.columns = std::move(columns);
  for (const ColumnDef& column : table.columns) {
    table.datasets.push_back(open_column(path, table, column));
  }
  if (per_event) {
    table.offsets = read_offsets(path, table, attributes.event_count);
    table.rows = table.offsets.back();
  } else {
    table.rows = attributes.event_count;
  }
  for (std::size_t i = 0; i < table.columns.size(); ++i) {
    check_column_length(path, table, i);
  }
  return table;
}

void EventReader::Impl::open_tables() {
  events = open_table(kEventsGroup, detail::event_columns(), false);
  if (!events) {
    throw FileError(path, std::string(kEventsGroup), "missing group (expected one row per event)");
  }
  particles = open_table(kParticlesGroup, detail::particle_columns(), true);
  hits = open_table(kHitsGroup, detail::hit_columns(), true);
  tracks = open_table(kTracksGroup, detail::track_columns(), true);
  if (tracks) {
    track_member_columns = tracks->columns.size();
    find_track_truth_and_extras();
    track_hits = open_table(kTrackHitsGroup, detail::track_hit_columns(), true);
    track_hit_pattern = open_table(kTrackHitPatternGroup, detail::hit_pattern_columns(), true);
  }
  vertices = open_table(kVerticesGroup, detail::vertex_columns(), true);

  available.particles = particles.has_value();
  available.hits = hits.has_value();
  available.tracks = tracks.has_value();
  available.track_truth = track_truth_columns > 0;
  available.track_hits = track_hits.has_value();
  available.track_hit_pattern = track_hit_pattern.has_value();
  available.vertices = vertices.has_value();
}

// Truth columns are all present or all absent. Any other float32 or uint8
// column of `tracks` is an extra column; a column of another type is an error.
void EventReader::Impl::find_track_truth_and_extras() {
  const std::vector<ColumnDef> truth = detail::track_truth_columns();
  std::size_t present = 0;
  for (const ColumnDef& column : truth) {
    present += detail::has_member(tracks->group, column.name) ? 1 : 0;
  }
  if (present == truth.size()) {
    for (const ColumnDef& column : truth) {
      tracks->columns.push_back(column);
      tracks->datasets.push_back(open_column(path, *tracks, column));
      check_column_length(path, *tracks, tracks->columns.size() - 1);
    }
    track_truth_columns = truth.size();
  } else if (present > 0) {
    for (const ColumnDef& column : truth) {
      if (!detail::has_member(tracks->group, column.name)) {
        throw FileError(path, field_name(tracks->name, column.name),
                        "missing column (the file has other truth_* columns, so expected all of "
                        "them)");
      }
    }
  }

  for (const std::string& name : detail::member_names(tracks->group)) {
    if (is_standard_track_column(name)) {
      continue;
    }
    const std::string field = field_name(tracks->name, name);
    H5O_info_t info;
    if (H5Oget_info_by_name(tracks->group.getId(), name.c_str(), &info, H5P_DEFAULT) < 0 ||
        info.type != H5O_TYPE_DATASET) {
      throw FileError(path, field, "is not a dataset (expected a 1-D float32 or uint8 column)");
    }
    H5::DataSet dataset = tracks->group.openDataSet(name);
    const auto type = detail::scalar_type_of(dataset.getDataType());
    if (detail::dataset_rank(dataset) != 1 ||
        (type != ScalarType::kFloat32 && type != ScalarType::kUInt8)) {
      throw FileError(path, field,
                      "is an extra column of type " + detail::describe_type(dataset.getDataType()) +
                          " and rank " + std::to_string(detail::dataset_rank(dataset)) +
                          ", expected a 1-D float32 or uint8 column");
    }
    if (detail::dataset_length(dataset) != tracks->rows) {
      throw FileError(path, field,
                      "has " + std::to_string(detail::dataset_length(dataset)) +
                          " rows, expected " + std::to_string(tracks->rows) +
                          " (the last event offset)");
    }
    extra_columns.push_back({name, type == ScalarType::kFloat32 ? ExtraColumnType::kFloat32
                                                                : ExtraColumnType::kUInt8});
    extra_datasets.push_back(std::move(dataset));
  }
}

template <typename Object, typename Visit>
void fill_rows(const TableReader& table, std::uint64_t index, std::size_t column_count,
               const std::string& path, std::vector<Object>& objects, Visit visit) {
  const std::uint64_t begin = table.first_row(index);
  const std::uint64_t count = table.row_count(index);
  std::vector<ColumnBuffer> buffers;
  table.read(begin, count, column_count, buffers);
  objects.resize(count);
  for (std::size_t row = 0; row < count; ++row) {
    RowFiller filler{&buffers, row, 0, &path, &table.name, begin + row};
    visit(objects[row], filler);
  }
}

void EventReader::Impl::read_tracks(std::uint64_t index, const TableMask& mask,
                                    edm::Event& event) const {
  const std::size_t column_count =
      track_member_columns + (mask.track_truth ? track_truth_columns : 0);
  const std::uint64_t begin = tracks->first_row(index);
  const std::uint64_t count = tracks->row_count(index);
  std::vector<ColumnBuffer> buffers;
  tracks->read(begin, count, column_count, buffers);

  event.tracks.resize(count);
  if (mask.track_truth) {
    event.track_truth.resize(count);
  }
  std::vector<std::uint32_t> hit_counts(count);
  std::vector<std::uint32_t> pattern_counts(count);
  std::uint64_t total_hits = 0;
  std::uint64_t total_pattern = 0;
  for (std::size_t row = 0; row < count; ++row) {
    RowFiller filler{&buffers, row, 0, &path, &tracks->name, begin + row};
    edm::Track& track = event.tracks[row];
    detail::visit_track(track, filler);
    // The file stores the upper triangle; mirror it.
    for (std::size_t k = 0; k < detail::kUpperTriangleIndices.size(); ++k) {
      const std::size_t flat = detail::kUpperTriangleIndices[k];
      const std::size_t mirrored = (flat % edm::eParameterCount) * edm::eParameterCount +
                                   flat / edm::eParameterCount;
      track.covariance.values[mirrored] = track.covariance.values[flat];
    }
    filler(detail::kHitCountColumn, hit_counts[row]);
    filler(detail::kPatternCountColumn, pattern_counts[row]);
    total_hits += hit_counts[row];
    total_pattern += pattern_counts[row];
    if (mask.track_truth) {
      detail::visit_track_truth(event.track_truth[row], filler);
    }
  }

  if (mask.track_hits) {
    const std::uint64_t rows = track_hits->row_count(index);
    if (rows != total_hits) {
      throw FileError(path, field_name(tracks->name, std::string(detail::kHitCountColumn)),
                      "event " + std::to_string(index) + ": hit counts add up to " +
                          std::to_string(total_hits) + ", expected " + std::to_string(rows) +
                          " (the rows of track_hits for the event)");
    }
    std::vector<std::uint32_t> hit_ids;
    fill_rows(*track_hits, index, track_hits->columns.size(), path, hit_ids,
              [](std::uint32_t& hit_id, RowFiller& filler) { detail::visit_track_hit(hit_id, filler); });
    std::size_t next = 0;
    for (std::size_t row = 0; row < count; ++row) {
      auto& hit_list = event.tracks[row].hits;
      hit_list.assign(hit_ids.begin() + static_cast<std::ptrdiff_t>(next),
                      hit_ids.begin() + static_cast<std::ptrdiff_t>(next + hit_counts[row]));
      next += hit_counts[row];
    }
  }

  if (mask.track_hit_pattern) {
    const std::uint64_t rows = track_hit_pattern->row_count(index);
    if (rows != total_pattern) {
      throw FileError(path, field_name(tracks->name, std::string(detail::kPatternCountColumn)),
                      "event " + std::to_string(index) + ": pattern counts add up to " +
                          std::to_string(total_pattern) + ", expected " + std::to_string(rows) +
                          " (the rows of track_hit_pattern for the event)");
    }
    std::vector<edm::HitPatternEntry> entries;
    fill_rows(*track_hit_pattern, index, track_hit_pattern->columns.size(), path, entries,
              [](edm::HitPatternEntry& entry, RowFiller& filler) {
                detail::visit_hit_pattern_entry(entry, filler);
              });
    std::size_t next = 0;
    for (std::size_t row = 0; row < count; ++row) {
      auto& pattern = event.tracks[row].hit_pattern;
      pattern.assign(entries.begin() + static_cast<std::ptrdiff_t>(next),
                     entries.begin() + static_cast<std::ptrdiff_t>(next + pattern_counts[row]));
      next += pattern_counts[row];
    }
  }
}

edm::Event EventReader::Impl::read_event(std::uint64_t index, const TableMask& requested) const {
  TableMask mask = requested.intersect(available);
  if (!mask.tracks) {
    mask.track_truth = false;
    mask.track_hits = false;
    mask.track_hit_pattern = false;
  }

  edm::Event event;
  {
    std::vector<ColumnBuffer> buffers;
    events->read(index, 1, events->columns.size(), buffers);
    RowFiller filler{&buffers, 0, 0, &path, &events->name, index};
    detail::visit_event_fields(event, filler);
  }
  if (mask.particles) {
    fill_rows(*particles, index, particles->columns.size(), path, event.particles,
              [](edm::Particle& particle, RowFiller& filler) { detail::visit_particle(particle, filler); });
  }
  if (mask.hits) {
    fill_rows(*hits, index, hits->columns.size(), path, event.hits,
              [](edm::Hit& hit, RowFiller& filler) { detail::visit_hit(hit, filler); });
  }
  if (mask.tracks) {
    read_tracks(index, mask, event);
  }
  if (mask.vertices) {
    fill_rows(*vertices, index, vertices->columns.size(), path, event.vertices,
              [](edm::Vertex& vertex, RowFiller& filler) { detail::visit_vertex(vertex, filler); });
  }
  return event;
}

const TableReader* EventReader::Impl::table_by_name(std::string_view name) const {
  for (const auto* table : {&events, &particles, &hits, &tracks, &track_hits, &track_hit_pattern,
                            &vertices}) {
    if (table->has_value() && (*table)->name == name) {
      return &**table;
    }
  }
  return nullptr;
}

EventReader::EventReader(std::string path) : impl_(std::make_unique<Impl>()) {
  impl_->path = std::move(path);
  detail::silence_hdf5_errors();
  impl_->open_file();
  try {
    impl_->read_attributes();
    impl_->open_tables();
  } catch (const H5::Exception& error) {
    throw FileError(impl_->path, "",
                    "cannot read the file layout (damaged or truncated?): " +
                        detail::hdf5_error_detail(error.getDetailMsg()));
  }
  logging::get("io")->debug("opened {}: {} events", impl_->path, impl_->attributes.event_count);
}

EventReader::~EventReader() = default;
EventReader::EventReader(EventReader&&) noexcept = default;
EventReader& EventReader::operator=(EventReader&&) noexcept = default;

const std::string& EventReader::path() const noexcept { return impl_->path; }

const FileAttributes& EventReader::attributes() const noexcept { return impl_->attributes; }

std::uint64_t EventReader::event_count() const noexcept { return impl_->attributes.event_count; }

const TableMask& EventReader::available_tables() const noexcept { return impl_->available; }

edm::Event EventReader::read(std::uint64_t index) const { return read(index, TableMask::all()); }

namespace {

void check_index(const std::string& path, std::uint64_t index, std::uint64_t event_count) {
  if (index >= event_count) {
    throw std::out_of_range(path + ": event index " + std::to_string(index) +
                            " is out of range (the file has " + std::to_string(event_count) +
                            " events)");
  }
}

}  // namespace

edm::Event EventReader::read(std::uint64_t index, const TableMask& tables) const {
  check_index(impl_->path, index, event_count());
  try {
    return impl_->read_event(index, tables);
  } catch (const H5::Exception& error) {
    throw FileError(impl_->path, "",
                    "cannot read event " + std::to_string(index) + ": " +
                        detail::hdf5_error_detail(error.getDetailMsg()));
  }
}

const std::vector<ExtraColumnSpec>& EventReader::extra_track_columns() const noexcept {
  return impl_->extra_columns;
}

ExtraColumnValues EventReader::read_extra_column(std::uint64_t index, std::string_view name) const {
  check_index(impl_->path, index, event_count());
  const auto& specs = impl_->extra_columns;
  const auto found = std::find_if(specs.begin(), specs.end(),
                                  [&](const ExtraColumnSpec& spec) { return spec.name == name; });
  if (found == specs.end()) {
    throw std::invalid_argument(impl_->path + ": tracks has no extra column '" +
                                std::string(name) + "'");
  }
  const auto position = static_cast<std::size_t>(found - specs.begin());
  const TableReader& tracks = *impl_->tracks;
  const std::uint64_t begin = tracks.first_row(index);
  const std::uint64_t count = tracks.row_count(index);
  try {
    if (found->type == ExtraColumnType::kFloat32) {
      ColumnBuffer buffer(ScalarType::kFloat32);
      detail::read_rows(impl_->extra_datasets[position], begin, count, buffer);
      std::vector<float> values(count);
      for (std::uint64_t i = 0; i < count; ++i) {
        values[i] = buffer.get<float>(i);
      }
      return values;
    }
    ColumnBuffer buffer(ScalarType::kUInt8);
    detail::read_rows(impl_->extra_datasets[position], begin, count, buffer);
    std::vector<std::uint8_t> values(count);
    for (std::uint64_t i = 0; i < count; ++i) {
      values[i] = buffer.get<std::uint8_t>(i);
    }
    return values;
  } catch (const H5::Exception& error) {
    throw FileError(impl_->path, field_name(tracks.name, found->name),
                    "cannot read event " + std::to_string(index) + ": " +
                        detail::hdf5_error_detail(error.getDetailMsg()));
  }
}

ExtraTrackColumns EventReader::read_extra_columns(std::uint64_t index) const {
  ExtraTrackColumns columns;
  for (const ExtraColumnSpec& spec : impl_->extra_columns) {
    columns.emplace(spec.name, read_extra_column(index, spec.name));
  }
  return columns;
}

std::vector<std::pair<std::string, std::uint64_t>> EventReader::row_counts(
    std::uint64_t index) const {
  check_index(impl_->path, index, event_count());
  std::vector<std::pair<std::string, std::uint64_t>> counts;
  for (const std::string_view name : {kParticlesGroup, kHitsGroup, kTracksGroup, kTrackHitsGroup,
                                      kTrackHitPatternGroup, kVerticesGroup}) {
    if (const TableReader* table = impl_->table_by_name(name)) {
      counts.emplace_back(table->name, table->row_count(index));
    }
  }
  return counts;
}

}  // namespace trackpurity::io
