#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <H5Cpp.h>

#include "trackpurity/io/detail/hdf5.hpp"
#include "trackpurity/io/detail/schema.hpp"

namespace trackpurity::io::detail {

// Dataset creation settings shared by every column.
struct StorageOptions {
  std::uint64_t chunk_rows = 16384;
  int deflate_level = 4;
};

// One table group being written: a chunked, extendible dataset per column and
// an event_offset dataset, each fed from a row buffer that is appended to the
// file when it reaches the flush threshold.
class TableWriter {
 public:
  TableWriter(const H5::Group& root, const std::string& name, std::vector<ColumnDef> columns,
              bool with_event_offset, const StorageOptions& storage);

  const std::string& name() const noexcept { return name_; }

  // Row buffers in column order; callers append one value per column per row.
  std::vector<ColumnBuffer>& buffers() noexcept { return buffers_; }

  // Appends the current row count to event_offset, closing the event.
  void end_event();

  std::uint64_t rows_buffered() const noexcept;
  std::uint64_t rows_written() const noexcept { return rows_written_; }

  // Appends the row buffers when they hold at least `threshold` rows, and the
  // event offsets when they hold at least `threshold` entries.
  void flush_if_full(std::uint64_t threshold);

  // Appends everything buffered.
  void flush();

 private:
  void flush_rows();
  void flush_offsets();

  std::string name_;
  H5::Group group_;
  std::vector<ColumnBuffer> buffers_;
  std::vector<H5::DataSet> datasets_;
  std::uint64_t rows_written_ = 0;
  bool with_event_offset_ = false;
  ColumnBuffer offset_buffer_{ScalarType::kUInt64};
  H5::DataSet offset_dataset_;
  std::uint64_t offsets_written_ = 0;
};

}  // namespace trackpurity::io::detail
