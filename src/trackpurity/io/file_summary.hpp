#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace trackpurity::io {

// Layout and storage of an event file, for `trackpurity inspect`.

struct ColumnSummary {
  std::string name;
  std::string type;              // numpy-like: "float64", "uint8", ...
  std::uint64_t rows = 0;
  std::uint64_t stored_bytes = 0;  // on disk, after compression
  std::uint64_t raw_bytes = 0;     // rows times the element size
};

struct TableSummary {
  std::string name;
  std::uint64_t rows = 0;  // rows of its columns (event_offset excluded)
  std::vector<ColumnSummary> columns;  // in file order, event_offset included
  std::uint64_t stored_bytes = 0;
  std::uint64_t raw_bytes = 0;
};

struct AttributeSummary {
  std::string name;
  std::string type;   // "string", "integer", "float" or "other"
  std::string value;  // the value as text; empty for "other"
};

struct FileSummary {
  std::string path;
  std::uint64_t file_bytes = 0;
  std::uint64_t event_count = 0;
  std::vector<AttributeSummary> attributes;  // root attributes, in file order
  std::vector<TableSummary> tables;          // groups, in file order
};

// Checks the file with EventReader (throws its FileError for a file that is
// not a valid event file), then lists its attributes, tables and columns.
FileSummary summarize_event_file(const std::string& path);

// True when `path` starts with the HDF5 signature. False for a missing file.
bool is_hdf5_file(const std::string& path);

}  // namespace trackpurity::io
