#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "test_helpers.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/nn/feature_binding.hpp"
#include "trackpurity/nn/safetensors.hpp"

namespace trackpurity::nn {
namespace {

using testing::hlt15_names;

// A safetensors file split into its JSON header and data section, to corrupt in tests.
struct RawFile {
  nlohmann::json header;
  std::vector<char> data;

  static RawFile read(const std::string& path) {
    const std::vector<char> bytes = testing::read_bytes(path);
    std::uint64_t header_size = 0;
    std::memcpy(&header_size, bytes.data(), 8);
    RawFile file;
    file.header = nlohmann::json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_size));
    file.data.assign(bytes.begin() + 8 + static_cast<std::ptrdiff_t>(header_size), bytes.end());
    return file;
  }

  void write(const std::string& path) const {
    const std::string text = header.dump();
    const std::uint64_t size = text.size();
    std::vector<char> bytes(8);
    std::memcpy(bytes.data(), &size, 8);
    bytes.insert(bytes.end(), text.begin(), text.end());
    bytes.insert(bytes.end(), data.begin(), data.end());
    testing::write_bytes(path, bytes);
  }

  nlohmann::json metadata() const {
    return nlohmann::json::parse(header["__metadata__"][kMetadataKey].get<std::string>());
  }
  void set_metadata(const nlohmann::json& document) {
    header["__metadata__"][kMetadataKey] = document.dump();
  }

  // Overwrites element `index` of an F32 tensor.
  void set_float(const std::string& name, std::size_t index, float value) {
    const std::size_t begin = header[name]["data_offsets"][0].get<std::size_t>();
    std::memcpy(data.data() + begin + index * sizeof(float), &value, sizeof value);
  }
};

class ModelFile : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = make_random_model(Architecture{}, hlt15_names(), 77);
    model_.feature_set = "hlt15";
    model_.working_points = {{"main", {{"threshold", 0.31}}}, {"target_efficiency", 0.995}};
    path_ = folder_.file("model.safetensors");
    save_model(model_, path_);
  }

  // Loads `raw` from a new file and returns the FileError message ("" if it loaded).
  std::string load_error(const RawFile& raw) {
    const std::string path = folder_.file("corrupt.safetensors");
    raw.write(path);
    return load_error(path);
  }

  static std::string load_error(const std::string& path) {
    try {
      (void)load_model(path);
    } catch (const FileError& error) {
      EXPECT_EQ(error.path(), path);
      RecordProperty("message", error.what());
      return error.what();
    }
    return "";
  }

  testing::TemporaryFolder folder_;
  Model model_;
  std::string path_;
};

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST_F(ModelFile, RoundTripIsBitExact) {
  const Model loaded = load_model(path_);
  const std::vector<ConstNamedTensor> original = named_tensors(model_);
  const std::vector<ConstNamedTensor> copy = named_tensors(loaded);
  ASSERT_EQ(original.size(), copy.size());
  for (std::size_t t = 0; t < original.size(); ++t) {
    ASSERT_EQ(original[t].name, copy[t].name);
    ASSERT_EQ(original[t].values->size(), copy[t].values->size()) << original[t].name;
    EXPECT_EQ(std::memcmp(original[t].values->data(), copy[t].values->data(),
                          original[t].values->size() * sizeof(float)),
              0)
        << original[t].name;
  }
  EXPECT_EQ(loaded.feature_names, model_.feature_names);
  EXPECT_EQ(loaded.feature_set, "hlt15");
  EXPECT_EQ(loaded.architecture, model_.architecture);
  EXPECT_EQ(loaded.working_points, model_.working_points);
  EXPECT_EQ(loaded.provenance, model_.provenance);

  const std::string second = folder_.file("second.safetensors");
  save_model(loaded, second);
  EXPECT_EQ(testing::read_bytes(path_), testing::read_bytes(second));
}

TEST_F(ModelFile, LayoutReadableAsPlainSafetensors) {
  const std::vector<char> bytes = testing::read_bytes(path_);
  std::uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);
  EXPECT_EQ(header_size % 8, 0U);

  const SafetensorsFile file = read_safetensors(path_);
  const SafetensorsEntry& weight = file.tensors.at("dense.0.linear.weight");
  EXPECT_EQ(weight.dtype, "F32");
  EXPECT_EQ(weight.shape, (std::vector<std::size_t>{256, 15}));
  const std::vector<float> values = file.float_values("dense.0.linear.weight", path_);
  EXPECT_EQ(values[16], model_.dense[0].linear.weight[16]);
  const nlohmann::json metadata = nlohmann::json::parse(file.metadata.at(kMetadataKey));
  EXPECT_EQ(metadata.at("format_version"), kModelFormatVersion);
}

TEST_F(ModelFile, TruncatedFileRejected) {
  std::vector<char> bytes = testing::read_bytes(path_);
  bytes.resize(5);
  const std::string path = folder_.file("short.safetensors");
  testing::write_bytes(path, bytes);
  const std::string message = load_error(path);
  EXPECT_TRUE(contains(message, "truncated")) << message;
}

TEST_F(ModelFile, TruncatedDataRejected) {
  std::vector<char> bytes = testing::read_bytes(path_);
  bytes.resize(bytes.size() - 100);
  const std::string path = folder_.file("short_data.safetensors");
  testing::write_bytes(path, bytes);
  const std::string message = load_error(path);
  EXPECT_TRUE(contains(message, "exceed the data section")) << message;
}

TEST_F(ModelFile, HeaderSizeBeyondFileRejected) {
  std::vector<char> bytes = testing::read_bytes(path_);
  const std::uint64_t huge = bytes.size() + 1;
  std::memcpy(bytes.data(), &huge, 8);
  const std::string path = folder_.file("header.safetensors");
  testing::write_bytes(path, bytes);
  const std::string message = load_error(path);
  EXPECT_TRUE(contains(message, "header size")) << message;
  EXPECT_TRUE(contains(message, std::to_string(huge))) << message;
}

TEST_F(ModelFile, InvalidJsonRejected) {
  std::vector<char> bytes = testing::read_bytes(path_);
  bytes[8] = '[';
  bytes[9] = '{';
  const std::string path = folder_.file("json.safetensors");
  testing::write_bytes(path, bytes);
  const std::string message = load_error(path);
  EXPECT_TRUE(contains(message, "invalid JSON")) << message;
}

TEST_F(ModelFile, TextFileNamedAsNotSafetensors) {
  const std::string path = folder_.file("notes.safetensors");
  const std::string text = "These are notes, not a model.\n";
  testing::write_bytes(path, std::vector<char>(text.begin(), text.end()));
  const std::string message = load_error(path);
  EXPECT_TRUE(contains(message, "not a safetensors file")) << message;
  EXPECT_TRUE(contains(message, path)) << message;
}

TEST_F(ModelFile, EventFileAsModelSuggestsSwap) {
  // The first 8 bytes of every HDF5 file, then padding.
  const std::string path = folder_.file("events_as_model.safetensors");
  std::vector<char> bytes = {'\x89', 'H', 'D', 'F', '\r', '\n', '\x1a', '\n'};
  bytes.resize(64, '\0');
  testing::write_bytes(path, bytes);
  const std::string message = load_error(path);
  EXPECT_TRUE(contains(message, "HDF5 file")) << message;
  EXPECT_TRUE(contains(message, "swapped")) << message;
}

TEST_F(ModelFile, WrongDtypeRejected) {
  RawFile raw = RawFile::read(path_);
  // Same byte count, so only the dtype check can catch it.
  raw.header["projection.bias"]["dtype"] = "I32";
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "projection.bias")) << message;
  EXPECT_TRUE(contains(message, "expected F32")) << message;
}

TEST_F(ModelFile, OffsetsNotMatchingShapeRejected) {
  RawFile raw = RawFile::read(path_);
  raw.header["output.bias"]["shape"] = {2};
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "output.bias")) << message;
  EXPECT_TRUE(contains(message, "expected 8")) << message;
}

TEST_F(ModelFile, OverlappingOffsetsRejected) {
  RawFile raw = RawFile::read(path_);
  raw.header["output.bias"]["data_offsets"] = raw.header["projection.bias"]["data_offsets"];
  raw.header["output.bias"]["data_offsets"][1] =
      raw.header["output.bias"]["data_offsets"][0].get<std::size_t>() + 4;
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "overlap")) << message;
}

TEST_F(ModelFile, ShapeMismatchNamesBothSizes) {
  // dense.1 reads 200 inputs while dense.0 has 256 outputs.
  Model other = make_random_model(Architecture{}, hlt15_names(), 1);
  other.dense[1].linear.in = 200;
  other.dense[1].linear.weight.resize(128 * 200);
  std::vector<FloatTensor> tensors;
  for (const ConstNamedTensor& tensor : named_tensors(other)) {
    std::vector<std::size_t> shape = tensor.shape;
    tensors.push_back({tensor.name, shape, *tensor.values});
  }
  const std::string path = folder_.file("shape.safetensors");
  write_safetensors(path, tensors, {{kMetadataKey, other.metadata().dump()}});
  const std::string message = load_error(path);
  EXPECT_TRUE(contains(message, "dense.1.linear.weight")) << message;
  EXPECT_TRUE(contains(message, "200")) << message;
  EXPECT_TRUE(contains(message, "256")) << message;
}

TEST_F(ModelFile, MissingTensorRejected) {
  RawFile raw = RawFile::read(path_);
  raw.header.erase("residual.2.bn2.running_var");
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "residual.2.bn2.running_var")) << message;
  EXPECT_TRUE(contains(message, "missing")) << message;
}

TEST_F(ModelFile, UnexpectedTensorRejected) {
  RawFile raw = RawFile::read(path_);
  raw.header["dense.0.bn.num_batches_tracked"] = {
      {"dtype", "F32"}, {"shape", nlohmann::json::array()}, {"data_offsets", {0, 4}}};
  // Point it at bytes no other tensor uses: append them.
  const std::size_t end = raw.data.size();
  raw.data.resize(end + 4);
  raw.header["dense.0.bn.num_batches_tracked"]["data_offsets"] = {end, end + 4};
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "unexpected tensor")) << message;
}

TEST_F(ModelFile, MissingFeatureNameRejected) {
  RawFile raw = RawFile::read(path_);
  nlohmann::json metadata = raw.metadata();
  metadata["feature_names"].erase(metadata["feature_names"].size() - 1);
  raw.set_metadata(metadata);
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "feature_names")) << message;
  EXPECT_TRUE(contains(message, "14 names, expected 15")) << message;
}

TEST_F(ModelFile, MissingMetadataRejected) {
  RawFile raw = RawFile::read(path_);
  raw.header.erase("__metadata__");
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "__metadata__.trackpurity")) << message;
}

TEST_F(ModelFile, ArchitectureDisagreementRejected) {
  RawFile raw = RawFile::read(path_);
  nlohmann::json metadata = raw.metadata();
  metadata["architecture"]["residual_blocks"] = 2;
  raw.set_metadata(metadata);
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "architecture")) << message;
}

TEST_F(ModelFile, NanWeightRejected) {
  RawFile raw = RawFile::read(path_);
  raw.set_float("residual.0.linear1.weight", 33, std::nanf(""));
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "residual.0.linear1.weight")) << message;
  EXPECT_TRUE(contains(message, "element 33")) << message;
}

TEST_F(ModelFile, DegenerateRangeRejected) {
  RawFile raw = RawFile::read(path_);
  raw.set_float("feature_max", 5, model_.feature_min[5]);
  const std::string message = load_error(raw);
  EXPECT_TRUE(contains(message, "'eta'")) << message;
  EXPECT_TRUE(contains(message, "expected max > min")) << message;
}

TEST_F(ModelFile, MissingFileRejected) {
  const std::string message = load_error(folder_.file("absent.safetensors"));
  EXPECT_TRUE(contains(message, "cannot open")) << message;
}

TEST(FeatureBinding, MapsNamesToColumns) {
  const std::vector<std::string> model_features = {"b", "c", "a"};
  const std::vector<std::string> provided = {"a", "b", "c", "d"};
  const FeatureBinding binding(model_features, provided);
  EXPECT_EQ(std::vector<std::size_t>(binding.indices().begin(), binding.indices().end()),
            (std::vector<std::size_t>{1, 2, 0}));

  const float a = 1.0F, b = 2.0F, c = 3.0F, d = 4.0F;
  const std::vector<const float*> columns = {&a, &b, &c, &d};
  const std::vector<const float*> bound = binding.bind(columns);
  ASSERT_EQ(bound.size(), 3U);
  EXPECT_EQ(bound[0], &b);
  EXPECT_EQ(bound[1], &c);
  EXPECT_EQ(bound[2], &a);
}

TEST(FeatureBinding, MissingFeatureNamed) {
  const std::vector<std::string> model_features = {"dxy_bs", "dz_bs"};
  const std::vector<std::string> provided = {"dxy_bs", "eta"};
  try {
    const FeatureBinding binding(model_features, provided);
    FAIL() << "a missing feature was accepted";
  } catch (const ConfigError& error) {
    EXPECT_TRUE(contains(error.what(), "'dz_bs'")) << error.what();
  }
}

TEST(FeatureBinding, WrongColumnCountRejected) {
  const std::vector<std::string> names = {"a"};
  const FeatureBinding binding(names, names);
  const std::vector<const float*> columns(2, nullptr);
  EXPECT_THROW((void)binding.bind(columns), std::invalid_argument);
}

}  // namespace
}  // namespace trackpurity::nn
