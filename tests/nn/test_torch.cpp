#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include "engine_checks.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/nn/cpu_engine.hpp"
#include "trackpurity/nn/torch/purity_net.hpp"
#include "trackpurity/nn/torch/torch_engine.hpp"
#include "trackpurity/nn/torch/torchscript_import.hpp"

namespace trackpurity::nn {
namespace {

using testing::compare_with_reference;
using testing::kAgreementTolerance;

torch::Tensor to_tensor(const std::vector<float>& values, const std::vector<std::size_t>& shape) {
  std::vector<std::int64_t> sizes(shape.begin(), shape.end());
  return torch::from_blob(const_cast<float*>(values.data()), sizes, torch::kFloat32).clone();
}

TEST(PurityNet, ParameterNamesMatchModelFile) {
  PurityNet net(Architecture{});
  std::int64_t trainable = 0;
  std::vector<std::string> names;
  for (const auto& item : net->named_parameters()) {
    trainable += item.value().numel();
    names.push_back(item.key());
  }
  for (const auto& item : net->named_buffers()) {
    if (!item.key().ends_with("num_batches_tracked")) names.push_back(item.key());
  }
  EXPECT_EQ(trainable, 56097);

  const Model model = make_model(Architecture{}, testing::hlt15_names());
  std::vector<std::string> expected;
  for (const ConstNamedTensor& tensor : named_tensors(model)) expected.push_back(tensor.name);
  std::sort(names.begin(), names.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(names, expected);
}

TEST(PurityNet, ModelRoundTripIsExact) {
  const Model model = make_random_model(Architecture{}, testing::hlt15_names(), 301);
  PurityNet net = to_torch(model);
  const Model copy = from_torch(net, model.feature_names, "hlt15");
  const auto original = named_tensors(model);
  const auto converted = named_tensors(copy);
  ASSERT_EQ(original.size(), converted.size());
  for (std::size_t t = 0; t < original.size(); ++t) {
    EXPECT_EQ(*original[t].values, *converted[t].values) << original[t].name;
  }
  EXPECT_EQ(copy.feature_set, "hlt15");
}

TEST(TorchEngine, AgreesOnRandomRows) {
  const Model model = make_random_model(Architecture{}, testing::hlt15_names(), 302);
  const TorchEngine engine(model);
  const ReferenceEngine reference(model);
  const testing::Columns columns = testing::random_columns(model, 3000, 11, 0.1);
  const testing::Agreement agreement = compare_with_reference(engine, reference, columns);
  EXPECT_LE(agreement.max_difference, kAgreementTolerance) << "row " << agreement.worst_row;
  RecordProperty("max_abs_diff", fmt::format("{:.3g}", agreement.max_difference));
}

TEST(TorchEngine, AgreesOnEdgeInputs) {
  const Model model = make_random_model(Architecture{}, testing::hlt15_names(), 303);
  const TorchEngine engine(model);
  const ReferenceEngine reference(model);
  const testing::Columns columns = testing::edge_columns(model, 12);
  const testing::Agreement agreement = compare_with_reference(engine, reference, columns);
  EXPECT_LE(agreement.max_difference, kAgreementTolerance) << "row " << agreement.worst_row;
  RecordProperty("max_abs_diff", fmt::format("{:.3g}", agreement.max_difference));
}

TEST(TorchEngine, AgreesOnHundredThousandRows) {
  Architecture architecture;
  architecture.dense_widths = {40, 24};
  architecture.projection_width = 16;
  architecture.residual_blocks = 2;
  const Model model = make_random_model(architecture, testing::hlt15_names(), 304);
  const TorchEngine engine(model);
  const ReferenceEngine reference(model);
  const testing::Columns columns = testing::random_columns(model, 100'000, 13, 0.2);
  const testing::Agreement agreement = compare_with_reference(engine, reference, columns);
  EXPECT_LE(agreement.max_difference, kAgreementTolerance) << "row " << agreement.worst_row;
  RecordProperty("max_abs_diff", fmt::format("{:.3g}", agreement.max_difference));
}

// How to damage the scripted module in a test.
struct ScriptDefects {
  bool omit_feature_max = false;
  bool relu_instead_of_elu = false;
  std::string tensor_with_extra_column;  // a Linear weight given one more input column
};

// Builds a TorchScript module of the family from torch::jit primitives, with
// the parameter names of the model file, as a user's exported .pt would have.
class ScriptBuilder {
 public:
  explicit ScriptBuilder(ScriptDefects defects) : defects_(std::move(defects)) {}

  torch::jit::Module build(const Model& model) {
    torch::jit::Module top(unique_name("PurityNet"));
    top.register_buffer("feature_min", to_tensor(model.feature_min, {model.feature_min.size()}));
    if (!defects_.omit_feature_max) {
      top.register_buffer("feature_max", to_tensor(model.feature_max, {model.feature_max.size()}));
    }

    torch::jit::Module dense(unique_name("Dense"));
    for (std::size_t i = 0; i < model.dense.size(); ++i) {
      const std::string prefix = fmt::format("dense.{}", i);
      torch::jit::Module block(unique_name("DenseBlock"));
      block.register_module("linear", linear(model.dense[i].linear, prefix + ".linear.weight"));
      block.register_module("bn", batchnorm(model.dense[i].bn));
      block.define(fmt::format("def forward(self, x):\n    return {}(self.bn.forward(self.linear.forward(x)))\n",
                               activation()));
      dense.register_module(std::to_string(i), block);
    }
    top.register_module("dense", dense);
    top.register_module("projection", linear(model.projection, "projection.weight"));

    torch::jit::Module residual(unique_name("Residual"));
    for (std::size_t i = 0; i < model.residual.size(); ++i) {
      const ResidualBlock& source = model.residual[i];
      const std::string prefix = fmt::format("residual.{}", i);
      torch::jit::Module block(unique_name("ResidualBlock"));
      block.register_module("linear1", linear(source.linear1, prefix + ".linear1.weight"));
      block.register_module("bn1", batchnorm(source.bn1));
      block.register_module("linear2", linear(source.linear2, prefix + ".linear2.weight"));
      block.register_module("bn2", batchnorm(source.bn2));
      block.define(fmt::format(
          "def forward(self, x):\n"
          "    h = {0}(self.bn1.forward(self.linear1.forward(x)))\n"
          "    return {0}(self.bn2.forward(self.linear2.forward(h)) + x)\n",
          activation()));
      residual.register_module(std::to_string(i), block);
    }
    top.register_module("residual", residual);
    top.register_module("output", linear(model.output, "output.weight"));

    std::string forward = "def forward(self, x):\n";
    if (defects_.omit_feature_max) {
      forward += "    h = x - self.feature_min\n";
    } else {
      forward += "    h = (x - self.feature_min) / (self.feature_max - self.feature_min + 1e-08)\n";
    }
    for (std::size_t i = 0; i < model.dense.size(); ++i) {
      forward += fmt::format("    h = getattr(self.dense, \"{}\").forward(h)\n", i);
    }
    forward += fmt::format("    h = {}(self.projection.forward(h))\n", activation());
    for (std::size_t i = 0; i < model.residual.size(); ++i) {
      forward += fmt::format("    h = getattr(self.residual, \"{}\").forward(h)\n", i);
    }
    forward += "    return torch.sigmoid(self.output.forward(h))\n";
    top.define(forward);
    return top;
  }

 private:
  std::string unique_name(const std::string& base) { return fmt::format("{}{}", base, counter_++); }

  std::string activation() const { return defects_.relu_instead_of_elu ? "torch.relu" : "torch.elu"; }

  torch::jit::Module linear(const Linear& source, const std::string& weight_name) {
    torch::jit::Module module(unique_name("Linear"));
    torch::Tensor weight = to_tensor(source.weight, {source.out, source.in});
    if (weight_name == defects_.tensor_with_extra_column) {
      weight = torch::cat({weight, torch::zeros({weight.size(0), 1})}, 1);
    }
    module.register_parameter("weight", weight, /*is_buffer=*/false);
    module.register_parameter("bias", to_tensor(source.bias, {source.out}), /*is_buffer=*/false);
    module.define("def forward(self, x):\n    return torch.linear(x, self.weight, self.bias)\n");
    return module;
  }

  torch::jit::Module batchnorm(const BatchNorm& source) {
    torch::jit::Module module(unique_name("BatchNorm"));
    const std::size_t width = source.gamma.size();
    module.register_parameter("weight", to_tensor(source.gamma, {width}), false);
    module.register_parameter("bias", to_tensor(source.beta, {width}), false);
    module.register_buffer("running_mean", to_tensor(source.running_mean, {width}));
    module.register_buffer("running_var", to_tensor(source.running_var, {width}));
    module.register_buffer("num_batches_tracked", torch::tensor(100, torch::kInt64));
    module.define(
        "def forward(self, x):\n"
        "    return torch.batch_norm(x, self.weight, self.bias, self.running_mean, "
        "self.running_var, False, 0.1, 1e-05, False)\n");
    return module;
  }

  ScriptDefects defects_;
  int counter_ = 0;
};

class TorchScriptImport : public ::testing::Test {
 protected:
  void SetUp() override { model_ = make_random_model(Architecture{}, testing::hlt15_names(), 305); }

  std::string save(const ScriptDefects& defects, const std::string& name) {
    const std::string path = folder_.file(name);
    ScriptBuilder(defects).build(model_).save(path);
    return path;
  }

  std::string import_error(const std::string& path) {
    try {
      (void)import_torchscript(path, model_.feature_names);
    } catch (const FileError& error) {
      RecordProperty("message", error.what());
      return error.what();
    }
    return "";
  }

  testing::TemporaryFolder folder_;
  Model model_;
};

TEST_F(TorchScriptImport, ScriptedModuleImports) {
  const std::string path = save({}, "good.pt");
  TorchScriptImportOptions options;
  options.feature_set = "hlt15";
  const Model imported = import_torchscript(path, model_.feature_names, options);

  const auto original = named_tensors(model_);
  const auto copy = named_tensors(imported);
  ASSERT_EQ(original.size(), copy.size());
  for (std::size_t t = 0; t < original.size(); ++t) {
    EXPECT_EQ(*original[t].values, *copy[t].values) << original[t].name;
  }
  EXPECT_EQ(imported.feature_set, "hlt15");
  EXPECT_EQ(imported.provenance.at("format"), "torchscript");

  // The imported model scores like the scripted module, through the cpu engine.
  torch::jit::Module module = torch::jit::load(path);
  module.eval();
  const testing::Columns columns = testing::random_columns(imported, 500, 14, 0.3);
  std::vector<torch::Tensor> tensors;
  for (const auto& column : columns.values) {
    tensors.push_back(torch::from_blob(const_cast<float*>(column.data()), {500}, torch::kFloat32));
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor expected = module.forward({torch::stack(tensors, 1)}).toTensor().reshape({-1});
  std::vector<float> scores(500);
  CpuEngine(imported).score(columns.pointers, 500, scores);
  for (std::size_t row = 0; row < 500; ++row) {
    EXPECT_NEAR(scores[row], expected[static_cast<std::int64_t>(row)].item<float>(), 1e-5) << row;
  }
}

TEST_F(TorchScriptImport, WrongShapeRejected) {
  ScriptDefects defects;
  defects.tensor_with_extra_column = "dense.2.linear.weight";
  const std::string message = import_error(save(defects, "shape.pt"));
  EXPECT_NE(message.find("dense.2.linear.weight"), std::string::npos) << message;
  EXPECT_NE(message.find("129"), std::string::npos) << message;
  EXPECT_NE(message.find("128"), std::string::npos) << message;
}

TEST_F(TorchScriptImport, MissingBufferRejected) {
  ScriptDefects defects;
  defects.omit_feature_max = true;
  const std::string message = import_error(save(defects, "buffer.pt"));
  EXPECT_NE(message.find("feature_max"), std::string::npos) << message;
  EXPECT_NE(message.find("missing"), std::string::npos) << message;
}

TEST_F(TorchScriptImport, DifferentForwardFailsSelfCheck) {
  ScriptDefects defects;
  defects.relu_instead_of_elu = true;
  const std::string message = import_error(save(defects, "relu.pt"));
  EXPECT_NE(message.find("differ by"), std::string::npos) << message;
  EXPECT_NE(message.find("probe row"), std::string::npos) << message;
}

TEST_F(TorchScriptImport, WrongFeatureCountRejected) {
  const std::string path = save({}, "names.pt");
  std::vector<std::string> names = model_.feature_names;
  names.pop_back();
  try {
    (void)import_torchscript(path, names);
    FAIL() << "14 names were accepted for 15 inputs";
  } catch (const FileError& error) {
    EXPECT_EQ(error.field(), "feature_names");
  }
}

TEST_F(TorchScriptImport, UnreadableFileRejected) {
  const std::string path = folder_.file("not_a_module.pt");
  testing::write_bytes(path, {'n', 'o', 't', ' ', 'a', ' ', 'z', 'i', 'p'});
  const std::string message = import_error(path);
  EXPECT_NE(message.find("cannot load as TorchScript"), std::string::npos) << message;
}

}  // namespace
}  // namespace trackpurity::nn
