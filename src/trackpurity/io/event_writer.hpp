#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "trackpurity/edm/event.hpp"
#include "trackpurity/io/event_file.hpp"

namespace trackpurity::io {

struct EventWriterConfig {
  // JSON document stored in the `configuration` attribute: the generator and
  // reconstruction configuration and the geometry description. Must be valid JSON.
  std::string configuration = "{}";
  // Seed of the random processes that made the events, stored in the `seed` attribute.
  std::uint64_t seed = 0;
  // Tables to write; TableMask::simulation() for files without tracks.
  TableMask tables;
  // Extra per-track columns (scores, flags) written into `tracks` after the
  // standard columns; every event must then supply values for each of them.
  std::vector<ExtraColumnSpec> extra_track_columns;
  // Rows buffered per table before they are appended to the file. Memory is
  // bounded by about flush_rows times the row size (up to ~300 bytes for a
  // track) per table, plus HDF5's chunk cache.
  std::uint64_t flush_rows = 65536;
  // Rows per HDF5 chunk, the unit of compression and of reading.
  std::uint64_t chunk_rows = 16384;
  // zlib compression level, 0 (fastest) to 9 (smallest); shuffle is always on.
  int deflate_level = 4;

  // Throws ConfigError naming the first invalid member.
  void validate() const;
};

// Streams events into an HDF5 event file (layout in docs/formats.md).
//
// Rows are buffered per column and appended to chunked, extendible datasets,
// so memory stays bounded however many events are written. The file is
// written as `<path>.partial` and renamed to `path` only by close(), after
// everything is flushed; a writer destroyed without close() (an exception
// unwinding the stack) removes the partial file. The same events, config and
// program build give a bit-identical file.
//
// Not thread-safe, like HDF5 itself: call it from one thread only.
class EventWriter {
 public:
  // Validates `config` (ConfigError) and creates `<path>.partial`, replacing
  // any earlier partial file. Throws FileError when the file cannot be created.
  EventWriter(std::string path, EventWriterConfig config);
  ~EventWriter();

  EventWriter(const EventWriter&) = delete;
  EventWriter& operator=(const EventWriter&) = delete;
  EventWriter(EventWriter&&) noexcept;
  EventWriter& operator=(EventWriter&&) noexcept;

  // Appends one event and its extra per-track columns. Throws
  // std::invalid_argument, before buffering anything, when the event's truth
  // or extra columns do not have one entry per track (truth only when the
  // config writes it) or when `extras` lacks a declared column, has an
  // undeclared one or one of the wrong type. Throws FileError when HDF5 fails
  // to write; the writer is then unusable and close() throws too.
  void write(const edm::Event& event, const ExtraTrackColumns& extras = {});

  // Flushes every buffer, stores `event_count`, closes the file and renames
  // it to path(). Throws FileError on failure, and std::logic_error when
  // called twice.
  void close();

  const std::string& path() const noexcept;
  std::string partial_path() const;
  std::uint64_t event_count() const noexcept;

  // Rows of table `group` (kHitsGroup, ...) held in memory, and rows already
  // appended to the file. Zero for a table that is not written.
  std::uint64_t rows_buffered(std::string_view group) const;
  std::uint64_t rows_written(std::string_view group) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trackpurity::io
