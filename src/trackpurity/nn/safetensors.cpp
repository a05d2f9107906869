#include "trackpurity/nn/safetensors.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"

namespace trackpurity::nn {

static_assert(std::endian::native == std::endian::little,
              "safetensors data is little-endian; this reader copies it as is");

namespace {

// Largest header accepted: a sanity limit far above the header of any model of this family.
constexpr std::uint64_t kMaxHeaderBytes = 100'000'000;

std::size_t dtype_size(const std::string& dtype) {
  static const std::map<std::string, std::size_t> sizes = {
      {"BOOL", 1}, {"U8", 1},  {"I8", 1},   {"F8_E5M2", 1}, {"F8_E4M3", 1}, {"I16", 2},
      {"U16", 2},  {"F16", 2}, {"BF16", 2}, {"I32", 4},     {"U32", 4},     {"F32", 4},
      {"F64", 8},  {"I64", 8}, {"U64", 8}};
  auto found = sizes.find(dtype);
  return found == sizes.end() ? 0 : found->second;
}

std::vector<char> read_whole_file(const std::string& path) {
  std::ifstream stream(path, std::ios::binary | std::ios::ate);
  if (!stream) {
    throw FileError(path, "", fmt::format("cannot open for reading: {}", std::strerror(errno)));
  }
  const std::streamsize size = stream.tellg();
  stream.seekg(0);
  std::vector<char> bytes(static_cast<std::size_t>(size));
  if (!stream.read(bytes.data(), size)) {
    throw FileError(path, "", "read failed");
  }
  return bytes;
}

SafetensorsEntry parse_entry(const std::string& path, const std::string& name,
                             const nlohmann::json& entry) {
  if (!entry.is_object()) {
    throw FileError(path, name, "header entry is not a JSON object, expected dtype, shape and data_offsets");
  }
  SafetensorsEntry result;

  auto dtype = entry.find("dtype");
  if (dtype == entry.end() || !dtype->is_string()) {
    throw FileError(path, name, "dtype is missing or not a string, expected e.g. \"F32\"");
  }
  result.dtype = dtype->get<std::string>();
  const std::size_t element_size = dtype_size(result.dtype);
  if (element_size == 0) {
    throw FileError(path, name, fmt::format("unknown dtype \"{}\", expected a safetensors dtype such as F32", result.dtype));
  }

  auto shape = entry.find("shape");
  if (shape == entry.end() || !shape->is_array()) {
    throw FileError(path, name, "shape is missing or not an array, expected a list of sizes");
  }
  std::size_t elements = 1;
  for (const nlohmann::json& extent : *shape) {
    if (!extent.is_number_unsigned()) {
      throw FileError(path, name, fmt::format("shape contains {}, expected non-negative integers", extent.dump()));
    }
    const auto value = extent.get<std::uint64_t>();
    if (value != 0 && elements > UINT32_MAX / value) {
      throw FileError(path, name, "shape has more than 4294967295 elements, expected fewer");
    }
    result.shape.push_back(static_cast<std::size_t>(value));
    elements *= static_cast<std::size_t>(value);
  }

  auto offsets = entry.find("data_offsets");
  if (offsets == entry.end() || !offsets->is_array() || offsets->size() != 2 ||
      !(*offsets)[0].is_number_unsigned() || !(*offsets)[1].is_number_unsigned()) {
    throw FileError(path, name, "data_offsets is missing or malformed, expected [begin, end]");
  }
  result.begin = (*offsets)[0].get<std::size_t>();
  result.end = (*offsets)[1].get<std::size_t>();
  if (result.end < result.begin) {
    throw FileError(path, name, fmt::format("data_offsets [{}, {}] end before they begin", result.begin, result.end));
  }
  if (result.end - result.begin != elements * element_size) {
    throw FileError(path, name,
                    fmt::format("data_offsets [{}, {}] span {} bytes, expected {} for {} shape [{}]",
                                result.begin, result.end, result.end - result.begin,
                                elements * element_size, result.dtype, fmt::join(result.shape, ", ")));
  }
  return result;
}

}  // namespace

std::vector<float> SafetensorsFile::float_values(const std::string& name,
                                                 const std::string& path) const {
  auto found = tensors.find(name);
  if (found == tensors.end()) {
    throw FileError(path, name, "missing tensor");
  }
  const SafetensorsEntry& entry = found->second;
  if (entry.dtype != "F32") {
    throw FileError(path, name, fmt::format("dtype {} is not supported, expected F32", entry.dtype));
  }
  std::vector<float> values((entry.end - entry.begin) / sizeof(float));
  std::memcpy(values.data(), data.data() + entry.begin, entry.end - entry.begin);
  return values;
}

SafetensorsFile read_safetensors(const std::string& path) {
  const std::vector<char> bytes = read_whole_file(path);

  // 1. The 8-byte header size and the header it announces.
  if (bytes.size() < 8) {
    throw FileError(path, "header size",
                    fmt::format("not a safetensors file, or truncated: {} bytes, expected at least "
                                "8 for the header size",
                                bytes.size()));
  }
  constexpr std::string_view kHdf5Signature = "\x89HDF\r\n\x1a\n";
  if (std::string_view(bytes.data(), 8) == kHdf5Signature) {
    throw FileError(path, "header size",
                    "this is an HDF5 file, not a safetensors model: are the MODEL and TRACKS "
                    "arguments swapped?");
  }
  std::uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), sizeof header_size);
  if (header_size > bytes.size() - 8 || header_size > kMaxHeaderBytes) {
    throw FileError(path, "header size",
                    fmt::format("not a safetensors file, or truncated: the first 8 bytes announce a "
                                "header of {} bytes, but only {} bytes follow them (a model header "
                                "has at most {} bytes)",
                                header_size, bytes.size() - 8, kMaxHeaderBytes));
  }
  const std::size_t data_start = 8 + static_cast<std::size_t>(header_size);

  nlohmann::json header;
  try {
    header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + static_cast<std::ptrdiff_t>(data_start));
  } catch (const nlohmann::json::parse_error& error) {
    throw FileError(path, "header",
                    fmt::format("not a safetensors file: invalid JSON ({}), expected a JSON object",
                                error.what()));
  }
  if (!header.is_object()) {
    throw FileError(path, "header", "is not a JSON object");
  }

  // 2. Metadata and tensor entries.
  SafetensorsFile file;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) {
        throw FileError(path, "__metadata__", "is not a JSON object of strings");
      }
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) {
          throw FileError(path, "__metadata__." + key, "is not a string, expected string values only");
        }
        file.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    file.tensors[name] = parse_entry(path, name, entry);
  }

  // 3. Offsets inside the data section and not overlapping.
  const std::size_t data_size = bytes.size() - data_start;
  std::vector<std::pair<std::size_t, std::string>> by_start;
  for (const auto& [name, entry] : file.tensors) {
    if (entry.end > data_size) {
      throw FileError(path, name,
                      fmt::format("data_offsets [{}, {}] exceed the data section of {} bytes "
                                  "(truncated file?), expected end <= {}",
                                  entry.begin, entry.end, data_size, data_size));
    }
    by_start.emplace_back(entry.begin, name);
  }
  std::sort(by_start.begin(), by_start.end());
  for (std::size_t i = 1; i < by_start.size(); ++i) {
    const SafetensorsEntry& previous = file.tensors.at(by_start[i - 1].second);
    const SafetensorsEntry& current = file.tensors.at(by_start[i].second);
    if (current.begin < previous.end && current.end > current.begin) {
      throw FileError(path, by_start[i].second,
                      fmt::format("data_offsets [{}, {}] overlap those of {} [{}, {}], expected "
                                  "disjoint byte ranges",
                                  current.begin, current.end, by_start[i - 1].second, previous.begin,
                                  previous.end));
    }
  }

  file.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  return file;
}

void write_safetensors(const std::string& path, std::span<const FloatTensor> tensors,
                       const std::map<std::string, std::string>& metadata) {
  // 1. Header with offsets in the order given.
  nlohmann::json header = nlohmann::json::object();
  if (!metadata.empty()) {
    header["__metadata__"] = metadata;
  }
  std::size_t offset = 0;
  for (const FloatTensor& tensor : tensors) {
    std::size_t elements = 1;
    for (std::size_t extent : tensor.shape) elements *= extent;
    if (elements != tensor.values.size()) {
      throw std::invalid_argument(fmt::format("tensor {} has {} values, expected {} for shape [{}]",
                                              tensor.name, tensor.values.size(), elements,
                                              fmt::join(tensor.shape, ", ")));
    }
    const std::size_t bytes = elements * sizeof(float);
    header[tensor.name] = {{"dtype", "F32"}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');
  const std::uint64_t header_size = header_text.size();

  // 2. Size, header and data into a temporary file, then rename.
  const std::string temporary = path + ".tmp";
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    if (!stream) {
      throw FileError(temporary, "", fmt::format("cannot open for writing: {}", std::strerror(errno)));
    }
    stream.write(reinterpret_cast<const char*>(&header_size), sizeof header_size);
    stream.write(header_text.data(), static_cast<std::streamsize>(header_text.size()));
    for (const FloatTensor& tensor : tensors) {
      stream.write(reinterpret_cast<const char*>(tensor.values.data()),
                   static_cast<std::streamsize>(tensor.values.size() * sizeof(float)));
    }
    stream.flush();
    if (!stream) {
      throw FileError(temporary, "", fmt::format("write failed: {}", std::strerror(errno)));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) {
    throw FileError(path, "", fmt::format("cannot rename {} to it: {}", temporary, error.message()));
  }
}

void save_model(const Model& model, const std::string& path) {
  validate_model(model, "<in-memory model>");
  std::vector<FloatTensor> tensors;
  for (const ConstNamedTensor& tensor : named_tensors(model)) {
    tensors.push_back({tensor.name, tensor.shape, *tensor.values});
  }
  write_safetensors(path, tensors, {{kMetadataKey, model.metadata().dump()}});
  logging::get("nn")->debug("wrote model {} ({} parameters)", path, model.parameter_count());
}

Model load_model(const std::string& path) {
  const SafetensorsFile file = read_safetensors(path);

  const std::string metadata_field = std::string("__metadata__.") + kMetadataKey;
  auto text = file.metadata.find(kMetadataKey);
  if (text == file.metadata.end()) {
    throw FileError(path, metadata_field, "missing, expected the model's metadata document");
  }
  nlohmann::json metadata;
  try {
    metadata = nlohmann::json::parse(text->second);
  } catch (const nlohmann::json::parse_error& error) {
    throw FileError(path, metadata_field, fmt::format("invalid JSON ({})", error.what()));
  }

  std::map<std::string, std::vector<float>> values;
  std::map<std::string, TensorData> tensors;
  for (const auto& [name, entry] : file.tensors) {
    values[name] = file.float_values(name, path);
    tensors[name] = TensorData{entry.shape, values[name]};
  }
  Model model = assemble_model(tensors, metadata, path);
  logging::get("nn")->debug("read model {}: {}, {} parameters", path, describe(model.architecture),
                            model.parameter_count());
  return model;
}

}  // namespace trackpurity::nn
