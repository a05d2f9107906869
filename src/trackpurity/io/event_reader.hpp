#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "trackpurity/edm/event.hpp"
#include "trackpurity/io/event_file.hpp"

namespace trackpurity::io {

// Random access to the events of an HDF5 event file (layout in docs/formats.md).
//
// The constructor checks the whole layout once: the `format` and
// `format_version` attributes, every standard column of every table present
// (name, rank 1, element type), and the event offsets (length events + 1,
// starting at 0, non-decreasing, ending at the column length). Any problem
// throws FileError naming the path and the field ("tracks/chi2") and what was
// expected. Tables may be absent: a simulated file has no tracks, and a file
// may have tracks without truth columns. Reading event i reads only its rows
// (hyperslabs over the offsets).
//
// Not thread-safe, like HDF5 itself: use a reader from one thread only, and
// do not read while another thread makes HDF5 calls.
class EventReader {
 public:
  // Opens and checks `path`. Throws FileError.
  explicit EventReader(std::string path);
  ~EventReader();

  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;
  EventReader(EventReader&&) noexcept;
  EventReader& operator=(EventReader&&) noexcept;

  const std::string& path() const noexcept;
  const FileAttributes& attributes() const noexcept;
  std::uint64_t event_count() const noexcept;

  // The tables that the file contains; track_truth is on when `tracks` has
  // the truth_* columns.
  const TableMask& available_tables() const noexcept;

  // Reads event `index` with every table the file contains.
  edm::Event read(std::uint64_t index) const;

  // Reads event `index` with only the tables on in `tables` (and in the file);
  // the other members of the Event stay empty. Track hit lists and patterns
  // are read only with tracks. Throws std::out_of_range for an index past
  // the end, FileError for data that contradicts the layout.
  edm::Event read(std::uint64_t index, const TableMask& tables) const;

  // The extra per-track columns of `tracks` (float32 or uint8 columns that are
  // not standard), in file order.
  const std::vector<ExtraColumnSpec>& extra_track_columns() const noexcept;

  // Values of one extra column for the tracks of event `index`. Throws
  // std::invalid_argument when the file has no such extra column.
  ExtraColumnValues read_extra_column(std::uint64_t index, std::string_view name) const;

  // Values of every extra column for the tracks of event `index`.
  ExtraTrackColumns read_extra_columns(std::uint64_t index) const;

  // Rows of each table present for event `index`, by group name, in file order.
  std::vector<std::pair<std::string, std::uint64_t>> row_counts(std::uint64_t index) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace trackpurity::io
