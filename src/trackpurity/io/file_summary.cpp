#include "trackpurity/io/file_summary.hpp"

#include <filesystem>

#include <H5Cpp.h>

#include "trackpurity/core/error.hpp"
#include "trackpurity/io/detail/hdf5.hpp"
#include "trackpurity/io/event_reader.hpp"

namespace trackpurity::io {

namespace {

AttributeSummary summarize_attribute(const H5::Attribute& attribute) {
  AttributeSummary summary;
  summary.name = attribute.getName();
  const H5::DataType type = attribute.getDataType();
  switch (attribute.getTypeClass()) {
    case H5T_STRING: {
      summary.type = "string";
      attribute.read(attribute.getStrType(), summary.value);
      break;
    }
    case H5T_INTEGER: {
      summary.type = "integer";
      if (H5Tget_sign(type.getId()) == H5T_SGN_2) {
        std::int64_t value = 0;
        attribute.read(H5::PredType::NATIVE_INT64, &value);
        summary.value = std::to_string(value);
      } else {
        std::uint64_t value = 0;
        attribute.read(H5::PredType::NATIVE_UINT64, &value);
        summary.value = std::to_string(value);
      }
      break;
    }
    case H5T_FLOAT: {
      summary.type = "float";
      double value = 0.0;
      attribute.read(H5::PredType::NATIVE_DOUBLE, &value);
      summary.value = std::to_string(value);
      break;
    }
    default:
      summary.type = "other";
      break;
  }
  return summary;
}

TableSummary summarize_table(const H5::Group& group, const std::string& name) {
  TableSummary table;
  table.name = name;
  for (const std::string& column_name : detail::member_names(group)) {
    H5O_info_t info;
    if (H5Oget_info_by_name(group.getId(), column_name.c_str(), &info, H5P_DEFAULT) < 0 ||
        info.type != H5O_TYPE_DATASET) {
      continue;
    }
    const H5::DataSet dataset = group.openDataSet(column_name);
    const H5::DataType type = dataset.getDataType();
    ColumnSummary column;
    column.name = column_name;
    column.type = detail::describe_type(type);
    column.rows = detail::dataset_length(dataset);
    column.stored_bytes = dataset.getStorageSize();
    column.raw_bytes = column.rows * type.getSize();
    if (column_name != kEventOffsetColumn) {
      table.rows = column.rows;
    }
    table.stored_bytes += column.stored_bytes;
    table.raw_bytes += column.raw_bytes;
    table.columns.push_back(std::move(column));
  }
  return table;
}

}  // namespace

FileSummary summarize_event_file(const std::string& path) {
  const EventReader reader(path);
  FileSummary summary;
  summary.path = path;
  summary.event_count = reader.event_count();
  std::error_code size_error;
  summary.file_bytes = std::filesystem::file_size(path, size_error);

  try {
    const H5::H5File file(path, H5F_ACC_RDONLY);
    for (int i = 0; i < file.getNumAttrs(); ++i) {
      summary.attributes.push_back(summarize_attribute(file.openAttribute(static_cast<unsigned>(i))));
    }
    for (const std::string& name : detail::member_names(file)) {
      H5O_info_t info;
      if (H5Oget_info_by_name(file.getId(), name.c_str(), &info, H5P_DEFAULT) >= 0 &&
          info.type == H5O_TYPE_GROUP) {
        summary.tables.push_back(summarize_table(file.openGroup(name), name));
      }
    }
  } catch (const H5::Exception& error) {
    throw FileError(path, "",
                    "cannot list the file contents: " +
                        detail::hdf5_error_detail(error.getDetailMsg()));
  }
  return summary;
}

bool is_hdf5_file(const std::string& path) {
  std::error_code status_error;
  if (!std::filesystem::is_regular_file(path, status_error)) {
    return false;
  }
  detail::silence_hdf5_errors();
  try {
    return H5::H5File::isHdf5(path);
  } catch (const H5::Exception&) {
    detail::hdf5_error_detail("");
    return false;
  }
}

}  // namespace trackpurity::io
