#include <cmath>
#include <vector>

#include <gtest/gtest.h>

#include "test_helpers.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/nn/folding.hpp"
#include "trackpurity/nn/model.hpp"
#include "trackpurity/nn/reference_engine.hpp"

namespace trackpurity::nn {
namespace {

using testing::hlt15_names;

TEST(Architecture, ReferenceParameterCount) {
  const Architecture architecture;
  EXPECT_EQ(architecture.parameter_count(), 56097U);
  EXPECT_EQ(architecture.multiply_adds_per_row(), 54048U);
}

TEST(Architecture, ParameterCountMatchesTensors) {
  Architecture architecture;
  architecture.dense_widths = {64, 16};
  architecture.projection_width = 8;
  architecture.residual_blocks = 2;
  architecture.input_width = 5;
  const Model model = make_model(architecture, testing::numbered_names(5));

  std::size_t trainable = 0;
  for (const ConstNamedTensor& tensor : named_tensors(model)) {
    const bool statistic = tensor.name.ends_with("running_mean") ||
                           tensor.name.ends_with("running_var") ||
                           tensor.name.starts_with("feature_");
    if (!statistic) trainable += tensor.values->size();
  }
  EXPECT_EQ(trainable, architecture.parameter_count());
  EXPECT_EQ(model.dense.size(), 2U);
  EXPECT_EQ(model.residual.size(), 2U);
}

TEST(Architecture, InvalidValuesRejected) {
  Architecture empty_dense;
  empty_dense.dense_widths.clear();
  EXPECT_THROW(empty_dense.validate(), ConfigError);

  Architecture zero_width;
  zero_width.dense_widths = {32, 0};
  EXPECT_THROW(zero_width.validate(), ConfigError);

  Architecture zero_inputs;
  zero_inputs.input_width = 0;
  EXPECT_THROW(zero_inputs.validate(), ConfigError);

  Architecture bad_eps;
  bad_eps.batchnorm_eps = 0.0;
  EXPECT_THROW(bad_eps.validate(), ConfigError);
}

TEST(Architecture, JsonRoundTrip) {
  Architecture architecture;
  architecture.dense_widths = {100, 50};
  architecture.residual_blocks = 1;
  EXPECT_EQ(Architecture::from_json(architecture.to_json()), architecture);

  nlohmann::json missing = architecture.to_json();
  missing.erase("projection_width");
  EXPECT_THROW(Architecture::from_json(missing), ConfigError);
}

TEST(Model, FeatureNameCountChecked) {
  EXPECT_THROW(make_model(Architecture{}, testing::numbered_names(14)), ConfigError);
}

TEST(Model, MetadataDocument) {
  Model model = make_random_model(Architecture{}, hlt15_names(), 3);
  model.feature_set = "hlt15";
  model.working_points = {{"main", 0.42}};
  const nlohmann::json metadata = model.metadata();
  EXPECT_EQ(metadata.at("format_version"), kModelFormatVersion);
  EXPECT_EQ(metadata.at("feature_set"), "hlt15");
  EXPECT_EQ(metadata.at("feature_names").size(), 15U);
  EXPECT_EQ(metadata.at("feature_names")[0], "dxy_bs");
  EXPECT_EQ(metadata.at("architecture").at("residual_blocks"), 3);
  EXPECT_EQ(metadata.at("working_points").at("main"), 0.42);
  EXPECT_EQ(metadata.at("normalisation").at("method"), "min-max");
  EXPECT_EQ(metadata.at("provenance").at("seed"), 3);
}

TEST(Model, TensorNamesFollowTorchLayout) {
  const Model model = make_model(Architecture{}, hlt15_names());
  const std::vector<ConstNamedTensor> tensors = named_tensors(model);
  std::vector<std::string> names;
  for (const auto& tensor : tensors) names.push_back(tensor.name);
  auto contains = [&](const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  EXPECT_TRUE(contains("dense.0.linear.weight"));
  EXPECT_TRUE(contains("dense.3.bn.running_var"));
  EXPECT_TRUE(contains("projection.bias"));
  EXPECT_TRUE(contains("residual.2.linear2.weight"));
  EXPECT_TRUE(contains("residual.0.bn1.running_mean"));
  EXPECT_TRUE(contains("output.weight"));
  EXPECT_TRUE(contains("feature_min"));
  EXPECT_TRUE(contains("feature_max"));
  // 2 normalisation + 4 dense x 6 + projection 2 + 3 residual x 12 + output 2.
  EXPECT_EQ(tensors.size(), 2U + 24U + 2U + 36U + 2U);
}

TEST(Model, RandomModelIsDeterministic) {
  const Model first = make_random_model(Architecture{}, hlt15_names(), 11);
  const Model second = make_random_model(Architecture{}, hlt15_names(), 11);
  const Model other = make_random_model(Architecture{}, hlt15_names(), 12);
  EXPECT_EQ(first.dense[0].linear.weight, second.dense[0].linear.weight);
  EXPECT_NE(first.dense[0].linear.weight, other.dense[0].linear.weight);
}

TEST(Model, ValidationNamesNonFiniteWeight) {
  Model model = make_random_model(Architecture{}, hlt15_names(), 5);
  model.residual[1].linear2.weight[7] = std::nanf("");
  try {
    validate_model(model, "memory");
    FAIL() << "a NaN weight was accepted";
  } catch (const FileError& error) {
    EXPECT_EQ(error.field(), "residual.1.linear2.weight");
    EXPECT_NE(std::string(error.what()).find("element 7"), std::string::npos) << error.what();
  }
}

TEST(Model, ValidationRejectsNegativeVariance) {
  Model model = make_random_model(Architecture{}, hlt15_names(), 5);
  model.dense[2].bn.running_var[1] = -0.5F;
  EXPECT_THROW(validate_model(model, "memory"), FileError);
}

TEST(Model, ValidationRejectsDuplicateFeature) {
  Model model = make_random_model(Architecture{}, hlt15_names(), 5);
  model.feature_names[3] = model.feature_names[0];
  EXPECT_THROW(validate_model(model, "memory"), FileError);
}

// Evaluates a folded network in double precision, for the folding test.
double evaluate_folded(const FoldedNetwork& network, const std::vector<double>& inputs) {
  std::vector<double> x(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    x[i] = (inputs[i] - network.input_min[i]) * network.input_scale[i];
  }
  std::vector<double> block_input;
  for (const FoldedLayer& layer : network.layers) {
    if (layer.starts_residual) block_input = x;
    std::vector<double> y(layer.out);
    for (std::size_t o = 0; o < layer.out; ++o) {
      double sum = layer.bias[o];
      for (std::size_t i = 0; i < layer.in; ++i) sum += layer.weight[o * layer.in + i] * x[i];
      if (layer.adds_residual) sum += block_input[o];
      switch (layer.activation) {
        case Activation::kElu:
          y[o] = sum > 0 ? sum : std::expm1(sum);
          break;
        case Activation::kSigmoid:
          y[o] = 1.0 / (1.0 + std::exp(-sum));
          break;
        case Activation::kNone:
          y[o] = sum;
          break;
      }
    }
    x = std::move(y);
  }
  return x[0];
}

TEST(Folding, MatchesUnfoldedNetwork) {
  const Model model = make_random_model(Architecture{}, hlt15_names(), 21);
  const FoldedNetwork folded = fold_batchnorm(model);
  ASSERT_EQ(folded.layers.size(), 4U + 1U + 6U + 1U);
  EXPECT_TRUE(folded.layers[5].starts_residual);
  EXPECT_TRUE(folded.layers[6].adds_residual);
  EXPECT_EQ(folded.layers.back().activation, Activation::kSigmoid);

  const ReferenceEngine reference(model);
  const testing::Columns columns = testing::random_columns(model, 500, 9, 0.2);
  double max_difference = 0.0;
  for (std::size_t row = 0; row < columns.rows(); ++row) {
    std::vector<double> inputs;
    for (const auto& column : columns.values) inputs.push_back(column[row]);
    const double difference =
        std::fabs(evaluate_folded(folded, inputs) - reference.score_row(inputs));
    max_difference = std::max(max_difference, difference);
  }
  // Only the float rounding of the folded weights separates the two.
  EXPECT_LT(max_difference, 1e-6);
}

TEST(Folding, ScaleAndShiftFormula) {
  Architecture architecture;
  architecture.input_width = 1;
  architecture.dense_widths = {1};
  architecture.projection_width = 1;
  architecture.residual_blocks = 0;
  Model model = make_model(architecture, {"x"});
  model.dense[0].linear.weight = {2.0F};
  model.dense[0].linear.bias = {1.0F};
  model.dense[0].bn.gamma = {3.0F};
  model.dense[0].bn.beta = {0.5F};
  model.dense[0].bn.running_mean = {0.25F};
  model.dense[0].bn.running_var = {4.0F - 1e-5F};
  const FoldedNetwork folded = fold_batchnorm(model);
  const double scale = 3.0 / std::sqrt(static_cast<double>(4.0F - 1e-5F) + 1e-5);
  EXPECT_NEAR(folded.layers[0].weight[0], 2.0 * scale, 1e-6);
  EXPECT_NEAR(folded.layers[0].bias[0], (1.0 - 0.25) * scale + 0.5, 1e-6);
}

}  // namespace
}  // namespace trackpurity::nn
