#include "trackpurity/nn/model.hpp"

#include <cmath>
#include <random>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::nn {

namespace {

// Appends the tensors of one layer; works for Model and const Model.
template <typename Tensor, typename LinearT>
void add_linear(std::vector<Tensor>& tensors, const std::string& prefix, LinearT& linear) {
  tensors.push_back({prefix + ".weight", {linear.out, linear.in}, &linear.weight});
  tensors.push_back({prefix + ".bias", {linear.out}, &linear.bias});
}

template <typename Tensor, typename BatchNormT>
void add_batchnorm(std::vector<Tensor>& tensors, const std::string& prefix, BatchNormT& bn,
                   std::size_t width) {
  tensors.push_back({prefix + ".weight", {width}, &bn.gamma});
  tensors.push_back({prefix + ".bias", {width}, &bn.beta});
  tensors.push_back({prefix + ".running_mean", {width}, &bn.running_mean});
  tensors.push_back({prefix + ".running_var", {width}, &bn.running_var});
}

template <typename Tensor, typename ModelT>
std::vector<Tensor> list_tensors(ModelT& model) {
  std::vector<Tensor> tensors;
  const std::size_t inputs = model.architecture.input_width;
  tensors.push_back({"feature_min", {inputs}, &model.feature_min});
  tensors.push_back({"feature_max", {inputs}, &model.feature_max});
  for (std::size_t i = 0; i < model.dense.size(); ++i) {
    const std::string prefix = fmt::format("dense.{}", i);
    add_linear(tensors, prefix + ".linear", model.dense[i].linear);
    add_batchnorm(tensors, prefix + ".bn", model.dense[i].bn, model.dense[i].linear.out);
  }
  add_linear(tensors, "projection", model.projection);
  for (std::size_t i = 0; i < model.residual.size(); ++i) {
    const std::string prefix = fmt::format("residual.{}", i);
    auto& block = model.residual[i];
    add_linear(tensors, prefix + ".linear1", block.linear1);
    add_batchnorm(tensors, prefix + ".bn1", block.bn1, block.linear1.out);
    add_linear(tensors, prefix + ".linear2", block.linear2);
    add_batchnorm(tensors, prefix + ".bn2", block.bn2, block.linear2.out);
  }
  add_linear(tensors, "output", model.output);
  return tensors;
}

Linear make_linear(std::size_t in, std::size_t out) {
  return Linear{in, out, std::vector<float>(in * out, 0.0F), std::vector<float>(out, 0.0F)};
}

BatchNorm make_batchnorm(std::size_t width, double eps) {
  return BatchNorm{std::vector<float>(width, 1.0F), std::vector<float>(width, 0.0F),
                   std::vector<float>(width, 0.0F), std::vector<float>(width, 1.0F), eps};
}

std::string shape_string(const std::vector<std::size_t>& shape) {
  return fmt::format("[{}]", fmt::join(shape, ", "));
}

}  // namespace

nlohmann::json Model::metadata() const {
  return nlohmann::json{
      {"format_version", kModelFormatVersion},
      {"feature_set", feature_set},
      {"feature_names", feature_names},
      {"architecture", architecture.to_json()},
      {"normalisation",
       {{"method", "min-max"},
        {"formula", "(x - feature_min) / (feature_max - feature_min + epsilon)"},
        {"epsilon", kNormalisationEpsilon},
        {"tensors", {"feature_min", "feature_max"}}}},
      {"working_points", working_points},
      {"provenance", provenance},
  };
}

std::vector<NamedTensor> mutable_named_tensors(Model& model) {
  return list_tensors<NamedTensor>(model);
}

std::vector<ConstNamedTensor> named_tensors(const Model& model) {
  return list_tensors<ConstNamedTensor>(model);
}

Model make_model(const Architecture& architecture, std::vector<std::string> feature_names) {
  architecture.validate();
  if (feature_names.size() != architecture.input_width) {
    throw ConfigError(fmt::format("{} feature names given, expected {} (the input width)",
                                  feature_names.size(), architecture.input_width));
  }

  Model model;
  model.architecture = architecture;
  model.feature_names = std::move(feature_names);
  model.feature_min.assign(architecture.input_width, 0.0F);
  model.feature_max.assign(architecture.input_width, 1.0F);

  const double eps = architecture.batchnorm_eps;
  std::size_t width = architecture.input_width;
  for (std::size_t out : architecture.dense_widths) {
    model.dense.push_back({make_linear(width, out), make_batchnorm(out, eps)});
    width = out;
  }
  const std::size_t projection = architecture.projection_width;
  model.projection = make_linear(width, projection);
  for (std::size_t i = 0; i < architecture.residual_blocks; ++i) {
    model.residual.push_back({make_linear(projection, projection), make_batchnorm(projection, eps),
                              make_linear(projection, projection), make_batchnorm(projection, eps)});
  }
  model.output = make_linear(projection, 1);
  return model;
}

Model make_random_model(const Architecture& architecture, std::vector<std::string> feature_names,
                        std::uint64_t seed) {
  Model model = make_model(architecture, std::move(feature_names));
  std::mt19937_64 engine(seed);
  auto uniform = [&engine](double low, double high) {
    return static_cast<float>(std::uniform_real_distribution<double>(low, high)(engine));
  };

  auto fill_linear = [&](Linear& linear) {
    // PyTorch's default initialisation range for Linear: U(-1/sqrt(in), 1/sqrt(in)).
    const double bound = 1.0 / std::sqrt(static_cast<double>(linear.in));
    for (float& w : linear.weight) w = uniform(-bound, bound);
    for (float& b : linear.bias) b = uniform(-bound, bound);
  };
  auto fill_batchnorm = [&](BatchNorm& bn) {
    for (float& g : bn.gamma) g = uniform(0.5, 1.5);
    for (float& b : bn.beta) b = uniform(-0.2, 0.2);
    for (float& m : bn.running_mean) m = uniform(-0.3, 0.3);
    for (float& v : bn.running_var) v = uniform(0.05, 1.0);
  };

  for (std::size_t i = 0; i < model.feature_min.size(); ++i) {
    const float low = uniform(-10.0, 10.0);
    model.feature_min[i] = low;
    model.feature_max[i] = low + uniform(0.5, 20.0);
  }
  for (DenseBlock& block : model.dense) {
    fill_linear(block.linear);
    fill_batchnorm(block.bn);
  }
  fill_linear(model.projection);
  for (ResidualBlock& block : model.residual) {
    fill_linear(block.linear1);
    fill_batchnorm(block.bn1);
    fill_linear(block.linear2);
    fill_batchnorm(block.bn2);
  }
  fill_linear(model.output);
  model.provenance = {{"generator", "make_random_model"}, {"seed", seed}};
  return model;
}

void validate_model(const Model& model, const std::string& source) {
  try {
    model.architecture.validate();
  } catch (const ConfigError& error) {
    throw FileError(source, "architecture", error.what());
  }
  const Architecture& architecture = model.architecture;
  if (model.feature_names.size() != architecture.input_width) {
    throw FileError(source, "feature_names",
                    fmt::format("{} names, expected {} (the input width of dense.0.linear.weight)",
                                model.feature_names.size(), architecture.input_width));
  }
  std::set<std::string> seen;
  for (const std::string& name : model.feature_names) {
    if (name.empty()) {
      throw FileError(source, "feature_names", "contains an empty name, expected non-empty names");
    }
    if (!seen.insert(name).second) {
      throw FileError(source, "feature_names",
                      fmt::format("'{}' appears twice, expected unique names", name));
    }
  }
  if (model.dense.size() != architecture.dense_widths.size() ||
      model.residual.size() != architecture.residual_blocks) {
    throw FileError(source, "architecture",
                    fmt::format("the model has {} dense and {} residual blocks, expected {} and {}",
                                model.dense.size(), model.residual.size(),
                                architecture.dense_widths.size(), architecture.residual_blocks));
  }

  for (const ConstNamedTensor& tensor : named_tensors(model)) {
    std::size_t expected = 1;
    for (std::size_t extent : tensor.shape) expected *= extent;
    if (tensor.values->size() != expected) {
      throw FileError(source, tensor.name,
                      fmt::format("{} values, expected {} for shape {}", tensor.values->size(),
                                  expected, shape_string(tensor.shape)));
    }
    for (std::size_t i = 0; i < expected; ++i) {
      const float value = (*tensor.values)[i];
      if (!std::isfinite(value)) {
        throw FileError(source, tensor.name,
                        fmt::format("element {} is {}, expected a finite value", i, value));
      }
    }
    if (tensor.name.ends_with(".running_var")) {
      for (std::size_t i = 0; i < expected; ++i) {
        if ((*tensor.values)[i] < 0.0F) {
          throw FileError(source, tensor.name,
                          fmt::format("element {} is {}, expected a non-negative variance", i,
                                      (*tensor.values)[i]));
        }
      }
    }
  }

  for (std::size_t i = 0; i < architecture.input_width; ++i) {
    if (!(model.feature_max[i] > model.feature_min[i])) {
      throw FileError(source, "feature_max",
                      fmt::format("feature '{}' (index {}) has max {} <= min {}, expected max > min",
                                  model.feature_names[i], i, model.feature_max[i],
                                  model.feature_min[i]));
    }
  }
}

namespace {

// Looks up tensors by name for assemble_model, remembering which ones were used.
class TensorLookup {
 public:
  TensorLookup(const std::map<std::string, TensorData>& tensors, const std::string& source)
      : tensors_(tensors), source_(source) {}

  bool contains(const std::string& name) const { return tensors_.contains(name); }

  // Returns the tensor, checking that it exists and has rank `rank`.
  const TensorData& get(const std::string& name, std::size_t rank) {
    auto found = tensors_.find(name);
    if (found == tensors_.end()) {
      throw FileError(source_, name, "missing tensor, expected it in the model file");
    }
    if (found->second.shape.size() != rank) {
      throw FileError(source_, name,
                      fmt::format("shape {} has {} dimensions, expected {}",
                                  shape_string(found->second.shape), found->second.shape.size(),
                                  rank));
    }
    used_.insert(name);
    return found->second;
  }

  // Copies a 1-D tensor that must have `width` values; `owner` names the layer fixing that width.
  std::vector<float> vector(const std::string& name, std::size_t width, const std::string& owner) {
    const TensorData& tensor = get(name, 1);
    if (tensor.shape[0] != width) {
      throw FileError(source_, name,
                      fmt::format("shape {} does not match the {} outputs of {}",
                                  shape_string(tensor.shape), width, owner));
    }
    return copy(tensor);
  }

  // Reads a Linear layer whose input size must be `in`, the width of `previous`.
  Linear linear(const std::string& prefix, std::size_t in, const std::string& previous) {
    const std::string weight_name = prefix + ".weight";
    const TensorData& weight = get(weight_name, 2);
    if (weight.shape[1] != in) {
      throw FileError(source_, weight_name,
                      fmt::format("shape {}: input size {} does not match the output size {} of {}",
                                  shape_string(weight.shape), weight.shape[1], in, previous));
    }
    Linear linear;
    linear.in = in;
    linear.out = weight.shape[0];
    if (linear.out == 0) {
      throw FileError(source_, weight_name,
                      fmt::format("shape {} has no outputs, expected at least one",
                                  shape_string(weight.shape)));
    }
    linear.weight = copy(weight);
    linear.bias = vector(prefix + ".bias", linear.out, weight_name);
    return linear;
  }

  BatchNorm batchnorm(const std::string& prefix, std::size_t width, const std::string& owner,
                      double eps) {
    BatchNorm bn;
    bn.gamma = vector(prefix + ".weight", width, owner);
    bn.beta = vector(prefix + ".bias", width, owner);
    bn.running_mean = vector(prefix + ".running_mean", width, owner);
    bn.running_var = vector(prefix + ".running_var", width, owner);
    bn.eps = eps;
    return bn;
  }

  // Throws on the first tensor that was never used and is not ignored.
  void reject_unused(const AssembleOptions& options) const {
    for (const auto& [name, tensor] : tensors_) {
      if (used_.contains(name) || (options.ignore_tensor && options.ignore_tensor(name))) {
        continue;
      }
      throw FileError(source_, name,
                      "unexpected tensor, expected only the tensors of the residual MLP layout");
    }
  }

 private:
  static std::vector<float> copy(const TensorData& tensor) {
    return std::vector<float>(tensor.values.begin(), tensor.values.end());
  }

  const std::map<std::string, TensorData>& tensors_;
  const std::string& source_;
  std::set<std::string> used_;
};

std::vector<std::string> read_feature_names(const nlohmann::json& metadata,
                                            const std::string& source) {
  auto names = metadata.find("feature_names");
  if (names == metadata.end()) {
    throw FileError(source, "feature_names", "missing from the metadata, expected a list of names");
  }
  if (!names->is_array()) {
    throw FileError(source, "feature_names",
                    fmt::format("is {}, expected an array of strings", names->dump()));
  }
  std::vector<std::string> result;
  for (const nlohmann::json& name : *names) {
    if (!name.is_string()) {
      throw FileError(source, "feature_names",
                      fmt::format("contains {}, expected strings", name.dump()));
    }
    result.push_back(name.get<std::string>());
  }
  return result;
}

}  // namespace

Model assemble_model(const std::map<std::string, TensorData>& tensors,
                     const nlohmann::json& metadata, const std::string& source,
                     const AssembleOptions& options) {
  if (!metadata.is_object()) {
    throw FileError(source, "metadata", "is not a JSON object");
  }
  if (auto version = metadata.find("format_version");
      version != metadata.end() && *version != kModelFormatVersion) {
    throw FileError(source, "format_version",
                    fmt::format("is {}, expected {}", version->dump(), kModelFormatVersion));
  }

  double eps = Architecture{}.batchnorm_eps;
  auto declared = metadata.find("architecture");
  if (declared != metadata.end()) {
    try {
      eps = Architecture::from_json(*declared).batchnorm_eps;
    } catch (const ConfigError& error) {
      throw FileError(source, "architecture", error.what());
    }
  }

  TensorLookup lookup(tensors, source);
  Model model;
  model.architecture.batchnorm_eps = eps;
  model.architecture.dense_widths.clear();

  // The input width comes from the first layer; the normalisation vectors must match it.
  const TensorData& first = lookup.get("dense.0.linear.weight", 2);
  std::size_t width = first.shape[1];
  model.architecture.input_width = width;
  model.feature_min = lookup.vector("feature_min", width, "the input (dense.0.linear.weight)");
  model.feature_max = lookup.vector("feature_max", width, "the input (dense.0.linear.weight)");

  std::string previous = "the input (feature_min)";
  for (std::size_t i = 0; lookup.contains(fmt::format("dense.{}.linear.weight", i)); ++i) {
    const std::string prefix = fmt::format("dense.{}", i);
    DenseBlock block;
    block.linear = lookup.linear(prefix + ".linear", width, previous);
    previous = prefix + ".linear.weight";
    block.bn = lookup.batchnorm(prefix + ".bn", block.linear.out, previous, eps);
    width = block.linear.out;
    model.architecture.dense_widths.push_back(width);
    model.dense.push_back(std::move(block));
  }

  model.projection = lookup.linear("projection", width, previous);
  previous = "projection.weight";
  width = model.projection.out;
  model.architecture.projection_width = width;

  for (std::size_t i = 0; lookup.contains(fmt::format("residual.{}.linear1.weight", i)); ++i) {
    const std::string prefix = fmt::format("residual.{}", i);
    ResidualBlock block;
    block.linear1 = lookup.linear(prefix + ".linear1", width, previous);
    if (block.linear1.out != width) {
      throw FileError(source, prefix + ".linear1.weight",
                      fmt::format("output size {} differs from the block width {} of {}",
                                  block.linear1.out, width, previous));
    }
    block.bn1 = lookup.batchnorm(prefix + ".bn1", block.linear1.out, prefix + ".linear1.weight", eps);
    block.linear2 = lookup.linear(prefix + ".linear2", block.linear1.out, prefix + ".linear1.weight");
    if (block.linear2.out != width) {
      throw FileError(source, prefix + ".linear2.weight",
                      fmt::format("output size {} does not match the block input size {} of {}, "
                                  "which the residual connection adds",
                                  block.linear2.out, width, previous));
    }
    block.bn2 = lookup.batchnorm(prefix + ".bn2", width, prefix + ".linear2.weight", eps);
    previous = prefix + ".linear2.weight";
    model.residual.push_back(std::move(block));
  }
  model.architecture.residual_blocks = model.residual.size();

  model.output = lookup.linear("output", width, previous);
  if (model.output.out != 1) {
    throw FileError(source, "output.weight",
                    fmt::format("has {} outputs, expected 1", model.output.out));
  }
  lookup.reject_unused(options);

  if (declared != metadata.end()) {
    const Architecture stated = Architecture::from_json(*declared);
    if (!(stated == model.architecture)) {
      throw FileError(source, "architecture",
                      fmt::format("metadata states {}, but the tensors have {}", describe(stated),
                                  describe(model.architecture)));
    }
  }

  model.feature_names = read_feature_names(metadata, source);
  if (auto feature_set = metadata.find("feature_set");
      feature_set != metadata.end() && feature_set->is_string()) {
    model.feature_set = feature_set->get<std::string>();
  }
  if (auto working_points = metadata.find("working_points"); working_points != metadata.end()) {
    model.working_points = *working_points;
  }
  if (auto provenance = metadata.find("provenance"); provenance != metadata.end()) {
    model.provenance = *provenance;
  }

  validate_model(model, source);
  return model;
}

}  // namespace trackpurity::nn
