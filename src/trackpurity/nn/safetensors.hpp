#pragma once

// safetensors files: an 8-byte little-endian header size N, N bytes of JSON
// header, then the raw little-endian tensor data. Each header entry is
//   "name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}
// with offsets relative to the start of the data section; the optional
// "__metadata__" entry maps strings to strings. Format description: the Rust
// safetensors crate, https://docs.rs/crate/safetensors.

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "trackpurity/nn/model.hpp"

namespace trackpurity::nn {

// Key of __metadata__ under which a model file stores its metadata document
// as one JSON string.
inline constexpr const char* kMetadataKey = "trackpurity";

struct SafetensorsEntry {
  std::string dtype;
  std::vector<std::size_t> shape;
  std::size_t begin = 0;  // byte offsets in the data section
  std::size_t end = 0;
};

// A whole safetensors file in memory.
struct SafetensorsFile {
  std::map<std::string, std::string> metadata;
  std::map<std::string, SafetensorsEntry> tensors;
  std::vector<char> data;  // the data section

  // Copies a tensor's values; the dtype must be F32 (throws FileError otherwise).
  std::vector<float> float_values(const std::string& name, const std::string& path) const;
};

// Reads and checks the layout of a safetensors file: header size against the
// file size, JSON syntax, every entry's dtype (a known safetensors dtype),
// shape and data_offsets (inside the data section, matching the shape, not
// overlapping another tensor). Throws FileError naming the file, the tensor
// or field and the expected value.
SafetensorsFile read_safetensors(const std::string& path);

// A float tensor to write.
struct FloatTensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::span<const float> values;
};

// Writes F32 tensors in the given order, with the header padded by spaces to
// a multiple of 8 bytes. Writes to `path`.tmp and renames it, so a reader
// never sees a partial file. Throws FileError when writing fails and
// std::invalid_argument when a tensor's size does not match its shape.
void write_safetensors(const std::string& path, std::span<const FloatTensor> tensors,
                       const std::map<std::string, std::string>& metadata);

// Writes a model: its named_tensors() and metadata() under __metadata__[kMetadataKey].
void save_model(const Model& model, const std::string& path);

// Reads a model file. Checks, beyond read_safetensors: the metadata document,
// dtype F32 on every tensor, every tensor present with shapes chained layer
// to layer, feature names matching the input width, finite weights and
// non-degenerate normalisation ranges. Throws FileError naming the file, the
// tensor or field and the expected value.
Model load_model(const std::string& path);

}  // namespace trackpurity::nn
