#include "trackpurity/io/detail/table_writer.hpp"

#include "trackpurity/io/event_file.hpp"

#include <hdf5.h>

namespace trackpurity::io::detail {

namespace {

H5::DataSet create_column(const H5::Group& group, const std::string& name, ScalarType type,
                          const StorageOptions& storage) {
  H5::DSetCreatPropList creation_list;
  const hsize_t chunk = storage.chunk_rows;
  creation_list.setChunk(1, &chunk);
  // Shuffle groups the bytes of equal significance, which lets deflate
  // compress slowly varying doubles and small integers much better.
  creation_list.setShuffle();
  creation_list.setDeflate(storage.deflate_level);
  // Timestamps would make two writes of the same events differ.
  if (H5Pset_obj_track_times(creation_list.getId(), 0) < 0) {
    throw H5::PropListIException("create_column", "H5Pset_obj_track_times failed");
  }
  const hsize_t initial_size = 0;
  const hsize_t max_size = H5S_UNLIMITED;
  const H5::DataSpace space(1, &initial_size, &max_size);
  return group.createDataSet(name, file_type(type), space, creation_list);
}

void append(H5::DataSet& dataset, std::uint64_t already_written, const ColumnBuffer& buffer) {
  const hsize_t count = buffer.rows();
  if (count == 0) {
    return;
  }
  const hsize_t start = already_written;
  const hsize_t new_size = already_written + count;
  dataset.extend(&new_size);
  H5::DataSpace file_space = dataset.getSpace();
  file_space.selectHyperslab(H5S_SELECT_SET, &count, &start);
  const H5::DataSpace memory_space(1, &count);
  dataset.write(buffer.data(), memory_type(buffer.type()), memory_space, file_space);
}

}  // namespace

TableWriter::TableWriter(const H5::Group& root, const std::string& name,
                         std::vector<ColumnDef> columns, bool with_event_offset,
                         const StorageOptions& storage)
    : name_(name), group_(create_group(root, name)), with_event_offset_(with_event_offset) {
  buffers_.reserve(columns.size());
  datasets_.reserve(columns.size());
  for (const ColumnDef& column : columns) {
    buffers_.emplace_back(column.type);
    datasets_.push_back(create_column(group_, column.name, column.type, storage));
  }
  if (with_event_offset_) {
    offset_dataset_ =
        create_column(group_, std::string(kEventOffsetColumn), ScalarType::kUInt64, storage);
    offset_buffer_.push<std::uint64_t>(0);
  }
}

void TableWriter::end_event() {
  if (with_event_offset_) {
    offset_buffer_.push<std::uint64_t>(rows_written_ + rows_buffered());
  }
}

std::uint64_t TableWriter::rows_buffered() const noexcept {
  return buffers_.empty() ? 0 : buffers_.front().rows();
}

void TableWriter::flush_if_full(std::uint64_t threshold) {
  if (rows_buffered() >= threshold) {
    flush_rows();
  }
  if (offset_buffer_.rows() >= threshold) {
    flush_offsets();
  }
}

void TableWriter::flush() {
  flush_rows();
  flush_offsets();
}

void TableWriter::flush_rows() {
  const std::uint64_t rows = rows_buffered();
  for (std::size_t i = 0; i < buffers_.size(); ++i) {
    append(datasets_[i], rows_written_, buffers_[i]);
    buffers_[i].clear();
  }
  rows_written_ += rows;
}

void TableWriter::flush_offsets() {
  if (!with_event_offset_) {
    return;
  }
  append(offset_dataset_, offsets_written_, offset_buffer_);
  offsets_written_ += offset_buffer_.rows();
  offset_buffer_.clear();
}

}  // namespace trackpurity::io::detail
