#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <H5Cpp.h>

// Thin helpers over the HDF5 C++ API: scalar types, column buffers, error
// translation, attributes and group creation. Not thread-safe (serial HDF5).

namespace trackpurity::io::detail {

// Element types of the columns in event files.
enum class ScalarType : std::uint8_t { kUInt8, kUInt16, kUInt32, kUInt64, kInt32, kFloat32, kFloat64 };

// "uint8", "float64", ... as in numpy.
std::string_view to_string(ScalarType type) noexcept;
std::size_t size_of(ScalarType type) noexcept;

// Little-endian type written to the file (files are identical on every host).
const H5::PredType& file_type(ScalarType type) noexcept;
// The native type of the same kind, used for reads and writes from memory.
const H5::PredType& memory_type(ScalarType type) noexcept;

// The ScalarType of an HDF5 type, or nullopt for any other type (strings,
// compounds, int64, ...). Byte order is ignored: HDF5 converts on read.
std::optional<ScalarType> scalar_type_of(const H5::DataType& type);

// A numpy-like name for any HDF5 type ("float64", "int64", "string", "compound").
std::string describe_type(const H5::DataType& type);

template <typename T>
constexpr ScalarType scalar_type_for() noexcept;
template <> constexpr ScalarType scalar_type_for<std::uint8_t>() noexcept { return ScalarType::kUInt8; }
template <> constexpr ScalarType scalar_type_for<std::uint16_t>() noexcept { return ScalarType::kUInt16; }
template <> constexpr ScalarType scalar_type_for<std::uint32_t>() noexcept { return ScalarType::kUInt32; }
template <> constexpr ScalarType scalar_type_for<std::uint64_t>() noexcept { return ScalarType::kUInt64; }
template <> constexpr ScalarType scalar_type_for<std::int32_t>() noexcept { return ScalarType::kInt32; }
template <> constexpr ScalarType scalar_type_for<float>() noexcept { return ScalarType::kFloat32; }
template <> constexpr ScalarType scalar_type_for<double>() noexcept { return ScalarType::kFloat64; }

// The rows of one column in native byte order, type-erased so that a table
// can hold columns of different types in one vector.
class ColumnBuffer {
 public:
  explicit ColumnBuffer(ScalarType type) : type_(type), element_size_(size_of(type)) {}

  ScalarType type() const noexcept { return type_; }
  std::size_t rows() const noexcept { return bytes_.size() / element_size_; }
  void clear() noexcept { bytes_.clear(); }
  void resize(std::size_t rows) { bytes_.resize(rows * element_size_); }
  void* data() noexcept { return bytes_.data(); }
  const void* data() const noexcept { return bytes_.data(); }

  // T must be the C++ type of type(); the table schemas guarantee it.
  template <typename T>
  void push(T value) {
    const std::size_t end = bytes_.size();
    bytes_.resize(end + sizeof(T));
    std::memcpy(bytes_.data() + end, &value, sizeof(T));
  }

  template <typename T>
  T get(std::size_t row) const noexcept {
    T value;
    std::memcpy(&value, bytes_.data() + row * sizeof(T), sizeof(T));
    return value;
  }

 private:
  ScalarType type_;
  std::size_t element_size_;
  std::vector<unsigned char> bytes_;
};

// Turns off HDF5's automatic printing of its error stack for this process;
// errors reach the caller as exceptions instead.
void silence_hdf5_errors() noexcept;

// The most specific message on the current HDF5 error stack ("truncated file:
// eof = ..."), or `fallback` when the stack is empty. Call it first in a catch
// block, before any other HDF5 call clears the stack.
std::string hdf5_error_detail(const std::string& fallback);

// Group creation with link creation order tracked (so that h5py and
// `inspect` list columns in schema order) and without object timestamps (so
// that the same events give the same bytes).
H5::Group create_group(const H5::Group& parent, const std::string& name);

// A creation property list for the root group with the same two properties.
H5::FileCreatPropList make_file_creation_list();

// Names of the links in `group`, in creation order when the file tracks it,
// else in name order.
std::vector<std::string> member_names(const H5::Group& group);

bool has_member(const H5::Group& group, const std::string& name);

void write_string_attribute(const H5::Group& group, const std::string& name, const std::string& value);
void write_uint64_attribute(const H5::Group& group, const std::string& name, std::uint64_t value);
void write_int64_attribute(const H5::Group& group, const std::string& name, std::int64_t value);

// Attribute readers: nullopt when the attribute is absent. They throw
// H5::Exception for an attribute of the wrong class; callers translate it.
std::optional<std::string> read_string_attribute(const H5::Group& group, const std::string& name);
std::optional<std::uint64_t> read_uint64_attribute(const H5::Group& group, const std::string& name);
std::optional<std::int64_t> read_int64_attribute(const H5::Group& group, const std::string& name);

// Kind of an attribute's type ("string", "integer", "float", ...).
std::string attribute_type_class(const H5::Group& group, const std::string& name);

// Reads rows [begin, begin + count) of a 1-D dataset into `buffer` (resized),
// converting to the buffer's native type.
void read_rows(const H5::DataSet& dataset, std::uint64_t begin, std::uint64_t count,
               ColumnBuffer& buffer);

// Number of elements of a dataset's first dimension, and its rank.
std::uint64_t dataset_length(const H5::DataSet& dataset);
int dataset_rank(const H5::DataSet& dataset);

}  // namespace trackpurity::io::detail
