#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// Common definitions of the HDF5 event file: format identity, table names,
// table selection and the extra per-track columns. docs/formats.md describes
// the layout for readers outside C++ (h5py, pandas).
//
// HDF5 as built by Debian (libhdf5-dev, serial) is not thread-safe: an
// EventWriter or EventReader must be used from one thread, and no two of them
// may run HDF5 calls at the same time. Parallel stages compute in worker
// threads and read and write event files in the main thread only.

namespace trackpurity::io {

// Value of the root attribute `format`.
inline constexpr std::string_view kFormatName = "trackpurity-events";

// Value of the root attribute `format_version` written by this program and the
// only version its reader accepts. Increment it on any incompatible layout change.
inline constexpr std::int64_t kFormatVersion = 1;

// Name of the per-table dataset of length events + 1: event i owns rows
// [event_offset[i], event_offset[i + 1]) of every column of the table.
inline constexpr std::string_view kEventOffsetColumn = "event_offset";

// Group names of the tables, as stored in the file.
inline constexpr std::string_view kEventsGroup = "events";
inline constexpr std::string_view kParticlesGroup = "particles";
inline constexpr std::string_view kHitsGroup = "hits";
inline constexpr std::string_view kTracksGroup = "tracks";
inline constexpr std::string_view kTrackHitsGroup = "track_hits";
inline constexpr std::string_view kTrackHitPatternGroup = "track_hit_pattern";
inline constexpr std::string_view kVerticesGroup = "vertices";

// Tables to write or to read. Event fields (number, collisions, beam spot) are
// always written and read. A table that is off is skipped: the writer does
// not create it, and the reader leaves the matching Event member empty.
struct TableMask {
  bool particles = true;
  bool hits = true;
  bool tracks = true;
  bool track_truth = true;        // truth_* columns of `tracks`; needs tracks
  bool track_hits = true;         // hit list of each track; needs tracks
  bool track_hit_pattern = true;  // hit pattern of each track; needs tracks
  bool vertices = true;

  // Every table.
  static TableMask all() { return {}; }
  // Particles and hits only: the content of a simulated, not yet reconstructed file.
  static TableMask simulation();
  // Tracks with their hit patterns, truth and vertices, without particles and
  // hits and the hit lists of tracks: what the feature and selection stages read.
  static TableMask tracks_without_hits();

  // The tables on in both masks.
  TableMask intersect(const TableMask& other) const;

  friend bool operator==(const TableMask&, const TableMask&) = default;
};

// Element type of an extra per-track column.
enum class ExtraColumnType : std::uint8_t {
  kFloat32 = 0,  // scores and other real values
  kUInt8 = 1,    // flags (0 or 1) and small categories
};

std::string_view to_string(ExtraColumnType type) noexcept;

// An extra per-track column of `tracks`, for example `score` or `keep`.
struct ExtraColumnSpec {
  std::string name;
  ExtraColumnType type = ExtraColumnType::kFloat32;

  friend bool operator==(const ExtraColumnSpec&, const ExtraColumnSpec&) = default;
};

// The values of one extra column for the tracks of one event, one per track.
using ExtraColumnValues = std::variant<std::vector<float>, std::vector<std::uint8_t>>;

// The extra columns of one event, by column name.
using ExtraTrackColumns = std::map<std::string, ExtraColumnValues, std::less<>>;

ExtraColumnType type_of(const ExtraColumnValues& values) noexcept;
std::size_t size_of(const ExtraColumnValues& values) noexcept;

// Root attributes of an event file.
struct FileAttributes {
  std::int64_t format_version = kFormatVersion;
  std::string program_version;     // version of the program that wrote the file
  std::string configuration = "{}";  // JSON: generator, reconstruction and geometry configuration
  std::uint64_t seed = 0;          // seed of the random processes that made the events
  std::uint64_t event_count = 0;
};

// Names of the columns of each table that this version writes and the reader
// requires, in file order (truth columns of `tracks` included, extra columns
// and `event_offset` excluded).
std::vector<std::string> standard_columns(std::string_view group);

// True when `name` is a standard column of `tracks` (then it cannot be an extra column).
bool is_standard_track_column(std::string_view name);

}  // namespace trackpurity::io
