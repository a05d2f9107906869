#include "trackpurity/io/detail/hdf5.hpp"

#include <hdf5.h>

namespace trackpurity::io::detail {

std::string_view to_string(ScalarType type) noexcept {
  switch (type) {
    case ScalarType::kUInt8:
      return "uint8";
    case ScalarType::kUInt16:
      return "uint16";
    case ScalarType::kUInt32:
      return "uint32";
    case ScalarType::kUInt64:
      return "uint64";
    case ScalarType::kInt32:
      return "int32";
    case ScalarType::kFloat32:
      return "float32";
    case ScalarType::kFloat64:
      return "float64";
  }
  return "unknown";
}

std::size_t size_of(ScalarType type) noexcept {
  switch (type) {
    case ScalarType::kUInt8:
      return 1;
    case ScalarType::kUInt16:
      return 2;
    case ScalarType::kUInt32:
    case ScalarType::kInt32:
    case ScalarType::kFloat32:
      return 4;
    case ScalarType::kUInt64:
    case ScalarType::kFloat64:
      return 8;
  }
  return 1;
}

const H5::PredType& file_type(ScalarType type) noexcept {
  switch (type) {
    case ScalarType::kUInt8:
      return H5::PredType::STD_U8LE;
    case ScalarType::kUInt16:
      return H5::PredType::STD_U16LE;
    case ScalarType::kUInt32:
      return H5::PredType::STD_U32LE;
    case ScalarType::kUInt64:
      return H5::PredType::STD_U64LE;
    case ScalarType::kInt32:
      return H5::PredType::STD_I32LE;
    case ScalarType::kFloat32:
      return H5::PredType::IEEE_F32LE;
    case ScalarType::kFloat64:
      return H5::PredType::IEEE_F64LE;
  }
  return H5::PredType::STD_U8LE;
}

const H5::PredType& memory_type(ScalarType type) noexcept {
  switch (type) {
    case ScalarType::kUInt8:
      return H5::PredType::NATIVE_UINT8;
    case ScalarType::kUInt16:
      return H5::PredType::NATIVE_UINT16;
    case ScalarType::kUInt32:
      return H5::PredType::NATIVE_UINT32;
    case ScalarType::kUInt64:
      return H5::PredType::NATIVE_UINT64;
    case ScalarType::kInt32:
      return H5::PredType::NATIVE_INT32;
    case ScalarType::kFloat32:
      return H5::PredType::NATIVE_FLOAT;
    case ScalarType::kFloat64:
      return H5::PredType::NATIVE_DOUBLE;
  }
  return H5::PredType::NATIVE_UINT8;
}

std::optional<ScalarType> scalar_type_of(const H5::DataType& type) {
  const hid_t id = type.getId();
  const H5T_class_t type_class = H5Tget_class(id);
  const std::size_t size = H5Tget_size(id);
  if (type_class == H5T_INTEGER) {
    const bool is_signed = H5Tget_sign(id) == H5T_SGN_2;
    if (!is_signed) {
      switch (size) {
        case 1:
          return ScalarType::kUInt8;
        case 2:
          return ScalarType::kUInt16;
        case 4:
          return ScalarType::kUInt32;
        case 8:
          return ScalarType::kUInt64;
        default:
          return std::nullopt;
      }
    }
    if (size == 4) {
      return ScalarType::kInt32;
    }
    return std::nullopt;
  }
  if (type_class == H5T_FLOAT) {
    if (size == 4) {
      return ScalarType::kFloat32;
    }
    if (size == 8) {
      return ScalarType::kFloat64;
    }
  }
  return std::nullopt;
}

std::string describe_type(const H5::DataType& type) {
  const hid_t id = type.getId();
  const std::size_t bits = H5Tget_size(id) * 8;
  switch (H5Tget_class(id)) {
    case H5T_INTEGER:
      return (H5Tget_sign(id) == H5T_SGN_2 ? "int" : "uint") + std::to_string(bits);
    case H5T_FLOAT:
      return "float" + std::to_string(bits);
    case H5T_STRING:
      return "string";
    case H5T_COMPOUND:
      return "compound";
    case H5T_ENUM:
      return "enum";
    case H5T_ARRAY:
      return "array";
    case H5T_VLEN:
      return "vlen";
    default:
      return "other";
  }
}

void silence_hdf5_errors() noexcept {
  H5::Exception::dontPrint();
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

namespace {

// Keeps the description of the innermost error, the first one the walk visits
// with H5E_WALK_UPWARD.
herr_t keep_innermost(unsigned position, const H5E_error2_t* error, void* client_data) {
  auto* detail = static_cast<std::string*>(client_data);
  if (position == 0 && error != nullptr && error->desc != nullptr) {
    *detail = error->desc;
  }
  return 0;
}

}  // namespace

std::string hdf5_error_detail(const std::string& fallback) {
  std::string detail;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &detail);
  H5Eclear2(H5E_DEFAULT);
  return detail.empty() ? fallback : detail;
}

namespace {

// Sets creation-order tracking and turns off timestamps on a group or file
// creation property list.
void set_deterministic_group_properties(hid_t plist) {
  if (H5Pset_link_creation_order(plist, H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED) < 0 ||
      H5Pset_obj_track_times(plist, 0) < 0) {
    throw H5::PropListIException("set_deterministic_group_properties",
                                 "cannot set group creation properties");
  }
}

}  // namespace

H5::Group create_group(const H5::Group& parent, const std::string& name) {
  const hid_t creation_list = H5Pcreate(H5P_GROUP_CREATE);
  if (creation_list < 0) {
    throw H5::GroupIException("create_group", "cannot create a property list");
  }
  try {
    set_deterministic_group_properties(creation_list);
  } catch (...) {
    H5Pclose(creation_list);
    throw;
  }
  const hid_t group_id =
      H5Gcreate2(parent.getId(), name.c_str(), H5P_DEFAULT, creation_list, H5P_DEFAULT);
  H5Pclose(creation_list);
  if (group_id < 0) {
    throw H5::GroupIException("create_group", "H5Gcreate2 failed for " + name);
  }
  // H5::Group takes its own reference to the id; drop ours.
  H5::Group group(group_id);
  H5Gclose(group_id);
  return group;
}

H5::FileCreatPropList make_file_creation_list() {
  H5::FileCreatPropList creation_list;
  set_deterministic_group_properties(creation_list.getId());
  return creation_list;
}

namespace {

herr_t collect_name(hid_t /*group*/, const char* name, const H5L_info_t* /*info*/, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

}  // namespace

std::vector<std::string> member_names(const H5::Group& group) {
  std::vector<std::string> names;
  hsize_t index = 0;
  if (H5Literate(group.getId(), H5_INDEX_CRT_ORDER, H5_ITER_INC, &index, collect_name, &names) >= 0) {
    return names;
  }
  // Files made without creation-order tracking (by other writers) list by name.
  H5Eclear2(H5E_DEFAULT);
  names.clear();
  index = 0;
  if (H5Literate(group.getId(), H5_INDEX_NAME, H5_ITER_INC, &index, collect_name, &names) < 0) {
    throw H5::GroupIException("member_names", "H5Literate failed");
  }
  return names;
}

bool has_member(const H5::Group& group, const std::string& name) {
  const htri_t exists = H5Lexists(group.getId(), name.c_str(), H5P_DEFAULT);
  if (exists < 0) {
    throw H5::GroupIException("has_member", "H5Lexists failed for " + name);
  }
  return exists > 0;
}

void write_string_attribute(const H5::Group& group, const std::string& name,
                            const std::string& value) {
  H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
  type.setCset(H5T_CSET_UTF8);
  H5::Attribute attribute = group.createAttribute(name, type, H5::DataSpace(H5S_SCALAR));
  attribute.write(type, value);
}

void write_uint64_attribute(const H5::Group& group, const std::string& name, std::uint64_t value) {
  H5::Attribute attribute =
      group.createAttribute(name, H5::PredType::STD_U64LE, H5::DataSpace(H5S_SCALAR));
  attribute.write(H5::PredType::NATIVE_UINT64, &value);
}

void write_int64_attribute(const H5::Group& group, const std::string& name, std::int64_t value) {
  H5::Attribute attribute =
      group.createAttribute(name, H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR));
  attribute.write(H5::PredType::NATIVE_INT64, &value);
}

namespace {

H5::Attribute open_scalar_attribute(const H5::Group& group, const std::string& name,
                                    H5T_class_t expected_class) {
  H5::Attribute attribute = group.openAttribute(name);
  if (attribute.getSpace().getSimpleExtentNpoints() != 1) {
    throw H5::AttributeIException("open_scalar_attribute", "expected a scalar attribute");
  }
  if (attribute.getTypeClass() != expected_class) {
    throw H5::AttributeIException("open_scalar_attribute", "unexpected attribute type");
  }
  return attribute;
}

}  // namespace

std::optional<std::string> read_string_attribute(const H5::Group& group, const std::string& name) {
  if (!group.attrExists(name)) {
    return std::nullopt;
  }
  H5::Attribute attribute = open_scalar_attribute(group, name, H5T_STRING);
  std::string value;
  attribute.read(attribute.getStrType(), value);
  return value;
}

std::optional<std::uint64_t> read_uint64_attribute(const H5::Group& group, const std::string& name) {
  if (!group.attrExists(name)) {
    return std::nullopt;
  }
  H5::Attribute attribute = open_scalar_attribute(group, name, H5T_INTEGER);
  std::uint64_t value = 0;
  attribute.read(H5::PredType::NATIVE_UINT64, &value);
  return value;
}

std::optional<std::int64_t> read_int64_attribute(const H5::Group& group, const std::string& name) {
  if (!group.attrExists(name)) {
    return std::nullopt;
  }
  H5::Attribute attribute = open_scalar_attribute(group, name, H5T_INTEGER);
  std::int64_t value = 0;
  attribute.read(H5::PredType::NATIVE_INT64, &value);
  return value;
}

std::string attribute_type_class(const H5::Group& group, const std::string& name) {
  H5::Attribute attribute = group.openAttribute(name);
  switch (attribute.getTypeClass()) {
    case H5T_STRING:
      return "string";
    case H5T_INTEGER:
      return "integer";
    case H5T_FLOAT:
      return "float";
    default:
      return "other";
  }
}

void read_rows(const H5::DataSet& dataset, std::uint64_t begin, std::uint64_t count,
               ColumnBuffer& buffer) {
  buffer.resize(count);
  if (count == 0) {
    return;
  }
  H5::DataSpace file_space = dataset.getSpace();
  const hsize_t start = begin;
  const hsize_t length = count;
  file_space.selectHyperslab(H5S_SELECT_SET, &length, &start);
  H5::DataSpace memory_space(1, &length);
  dataset.read(buffer.data(), memory_type(buffer.type()), memory_space, file_space);
}

std::uint64_t dataset_length(const H5::DataSet& dataset) {
  H5::DataSpace space = dataset.getSpace();
  if (space.getSimpleExtentNdims() < 1) {
    return static_cast<std::uint64_t>(space.getSimpleExtentNpoints());
  }
  hsize_t dims[H5S_MAX_RANK] = {};
  space.getSimpleExtentDims(dims);
  return dims[0];
}

int dataset_rank(const H5::DataSet& dataset) { return dataset.getSpace().getSimpleExtentNdims(); }

}  // namespace trackpurity::io::detail
