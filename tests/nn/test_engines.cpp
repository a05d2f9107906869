#include <hwy/targets.h>

#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "engine_checks.hpp"
#include "trackpurity/nn/cpu_engine.hpp"
#include "trackpurity/nn/reference_engine.hpp"

namespace trackpurity::nn {
namespace {

using testing::compare_with_reference;
using testing::kAgreementTolerance;

// A small network for tests over many rows, where the double reference is slow.
Architecture small_architecture() {
  Architecture architecture;
  architecture.input_width = 15;
  architecture.dense_widths = {40, 24};
  architecture.projection_width = 16;
  architecture.residual_blocks = 2;
  return architecture;
}

TEST(CpuEngine, AgreesOnRandomRows) {
  const Model model = make_random_model(Architecture{}, testing::hlt15_names(), 101);
  const CpuEngine cpu(model);
  const ReferenceEngine reference(model);
  const testing::Columns columns = testing::random_columns(model, 3000, 5, 0.1);
  const testing::Agreement agreement = compare_with_reference(cpu, reference, columns);
  EXPECT_LE(agreement.max_difference, kAgreementTolerance) << "row " << agreement.worst_row;
  RecordProperty("max_abs_diff", fmt::format("{:.3g}", agreement.max_difference));
}

TEST(CpuEngine, AgreesOnEdgeInputs) {
  const Model model = make_random_model(Architecture{}, testing::hlt15_names(), 102);
  const CpuEngine cpu(model);
  const ReferenceEngine reference(model);
  const testing::Columns columns = testing::edge_columns(model, 6);
  const testing::Agreement agreement = compare_with_reference(cpu, reference, columns);
  EXPECT_LE(agreement.max_difference, kAgreementTolerance) << "row " << agreement.worst_row;
  RecordProperty("max_abs_diff", fmt::format("{:.3g}", agreement.max_difference));
}

TEST(CpuEngine, AgreesOnHundredThousandRows) {
  const Model model = make_random_model(small_architecture(), testing::hlt15_names(), 103);
  const CpuEngine cpu(model);
  const ReferenceEngine reference(model);
  const testing::Columns columns = testing::random_columns(model, 100'000, 7, 0.2);
  const testing::Agreement agreement = compare_with_reference(cpu, reference, columns);
  EXPECT_LE(agreement.max_difference, kAgreementTolerance) << "row " << agreement.worst_row;
  RecordProperty("max_abs_diff", fmt::format("{:.3g}", agreement.max_difference));
}

TEST(CpuEngine, AgreesOnUnevenWidthsAndRowCounts) {
  // Widths that are not multiples of the panel width, no residual blocks,
  // and row counts around the tile size.
  Architecture architecture;
  architecture.input_width = 3;
  architecture.dense_widths = {37, 13, 5};
  architecture.projection_width = 11;
  architecture.residual_blocks = 0;
  const Model plain = make_random_model(architecture, testing::numbered_names(3), 104);
  architecture.residual_blocks = 4;
  const Model residual = make_random_model(architecture, testing::numbered_names(3), 105);

  for (const Model* model : {&plain, &residual}) {
    const CpuEngine cpu(*model);
    const ReferenceEngine reference(*model);
    for (std::size_t rows : {1U, 7U, 47U, 48U, 49U, 96U, 131U, 1001U}) {
      const testing::Columns columns = testing::random_columns(*model, rows, rows, 0.1);
      const testing::Agreement agreement = compare_with_reference(cpu, reference, columns);
      EXPECT_LE(agreement.max_difference, kAgreementTolerance)
          << rows << " rows, residual blocks " << model->residual.size();
    }
  }
}

TEST(CpuEngine, AgreesOnEverySimdTarget) {
  // Each compiled target the CPU supports (AVX-512, AVX2, SSE4, ...) in turn.
  Architecture architecture = small_architecture();
  architecture.dense_widths = {37, 24};
  const Model model = make_random_model(architecture, testing::hlt15_names(), 110);
  const ReferenceEngine reference(model);
  const testing::Columns columns = testing::random_columns(model, 1003, 15, 0.2);
  const std::vector<std::int64_t> targets = hwy::SupportedAndGeneratedTargets();
  EXPECT_FALSE(targets.empty());
  for (std::int64_t target : targets) {
    hwy::SetSupportedTargetsForTest(target);
    const CpuEngine cpu(model);
    EXPECT_STREQ(cpu.kernel().target, hwy::TargetName(target));
    const testing::Agreement agreement = compare_with_reference(cpu, reference, columns);
    EXPECT_LE(agreement.max_difference, kAgreementTolerance) << hwy::TargetName(target);
  }
  hwy::SetSupportedTargetsForTest(0);  // back to the CPU's own targets
}

TEST(CpuEngine, ZeroRowsWritesNothing) {
  const Model model = make_random_model(small_architecture(), testing::hlt15_names(), 106);
  const CpuEngine cpu(model);
  const std::vector<const float*> columns(15, nullptr);
  std::vector<float> out(1, -1.0F);
  cpu.score(columns, 0, out);
  EXPECT_EQ(out[0], -1.0F);
}

TEST(CpuEngine, InvalidArgumentsRejected) {
  const Model model = make_random_model(small_architecture(), testing::hlt15_names(), 107);
  const CpuEngine cpu(model);
  const testing::Columns columns = testing::random_columns(model, 10, 1);
  std::vector<float> out(10);
  const std::vector<const float*> too_few(columns.pointers.begin(), columns.pointers.end() - 1);
  EXPECT_THROW(cpu.score(too_few, 10, out), std::invalid_argument);
  std::vector<float> short_out(9);
  EXPECT_THROW(cpu.score(columns.pointers, 10, short_out), std::invalid_argument);
  std::vector<const float*> with_null = columns.pointers;
  with_null[3] = nullptr;
  EXPECT_THROW(cpu.score(with_null, 10, out), std::invalid_argument);
}

TEST(CpuEngine, ReportsKernel) {
  const Model model = make_random_model(small_architecture(), testing::hlt15_names(), 108);
  const CpuEngine cpu(model);
  EXPECT_GE(cpu.kernel().lanes, 1U);
  EXPECT_GE(cpu.kernel().tile_rows, cpu.kernel().lanes);
  EXPECT_LE(cpu.kernel().tile_rows, detail::kMaxTileRows);
  EXPECT_GT(cpu.weight_bytes(), model.parameter_count() * sizeof(float) / 2);
}

TEST(CpuEngine, ThreadsSharingOneEngineAgree) {
  const Model model = make_random_model(Architecture{}, testing::hlt15_names(), 109);
  const CpuEngine engine(model);
  const testing::Columns columns = testing::random_columns(model, 2000, 8, 0.1);
  std::vector<float> expected(columns.rows());
  engine.score(columns.pointers, columns.rows(), expected);

  constexpr int kThreads = 4;
  constexpr int kRepetitions = 5;
  std::vector<std::vector<float>> results(kThreads, std::vector<float>(columns.rows()));
  std::vector<int> mismatches(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t]() {
      for (int repetition = 0; repetition < kRepetitions; ++repetition) {
        engine.score(columns.pointers, columns.rows(), results[t]);
        if (results[t] != expected) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  }
}

TEST(ReferenceEngine, KnownValueForTinyNetwork) {
  // One input, one unit per layer, identity BatchNorm: the score can be written down.
  Architecture architecture;
  architecture.input_width = 1;
  architecture.dense_widths = {1};
  architecture.projection_width = 1;
  architecture.residual_blocks = 1;
  Model model = make_model(architecture, {"x"});
  model.feature_min = {-1.0F};
  model.feature_max = {3.0F};
  model.dense[0].linear.weight = {2.0F};
  model.dense[0].linear.bias = {-1.0F};
  model.projection.weight = {1.0F};
  model.residual[0].linear1.weight = {1.0F};
  model.residual[0].linear2.weight = {-3.0F};
  model.output.weight = {1.5F};
  model.output.bias = {0.25F};
  const ReferenceEngine reference(model);

  const double input = 0.0;
  const double normalised = (input + 1.0) / (4.0 + 1e-8);
  auto elu = [](double v) { return v > 0 ? v : std::expm1(v); };
  auto batchnorm = [](double v) { return v / std::sqrt(1.0 + 1e-5); };
  const double dense = elu(batchnorm(2.0 * normalised - 1.0));
  const double projection = elu(dense);
  const double hidden = elu(batchnorm(projection));
  const double block = elu(batchnorm(-3.0 * hidden) + projection);
  const double expected = 1.0 / (1.0 + std::exp(-(1.5 * block + 0.25)));
  const double inputs[] = {input};
  EXPECT_NEAR(reference.score_row(inputs), expected, 1e-15);
}

}  // namespace
}  // namespace trackpurity::nn
