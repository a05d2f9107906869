// SIMD kernels of the cpu engine, compiled once per Highway target; the best
// target the CPU supports is chosen at run time (HWY_DYNAMIC_DISPATCH).
//
// Activations of a tile live in "feature-major" buffers: row r of feature i
// is at buffer[i * tile_rows + r], so one SIMD vector contains one feature for
// consecutive rows. The input columns already have that layout.

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "trackpurity/nn/detail/cpu_kernels.cpp"
#include <hwy/foreach_target.h>  // IWYU pragma: keep

#include <hwy/contrib/math/math-inl.h>
#include <hwy/highway.h>

#include <algorithm>
#include <cstddef>

#include "trackpurity/nn/detail/packed_network.hpp"

HWY_BEFORE_NAMESPACE();
namespace trackpurity::nn::detail {
namespace HWY_NAMESPACE {

namespace hn = hwy::HWY_NAMESPACE;
using D = hn::ScalableTag<float>;
using V = hn::Vec<D>;

// Register blocking of the micro-kernel: kOutputs outputs times kVectors
// vectors of rows are accumulated in registers. Targets with 16 vector
// registers (AVX2, SSE4) hold 4 x 2 accumulators; the others 8 x 3.
#if HWY_TARGET == HWY_AVX2 || HWY_TARGET == HWY_SSE4 || HWY_TARGET == HWY_SSSE3
constexpr std::size_t kOutputs = 4;
constexpr std::size_t kVectors = 2;
#else
constexpr std::size_t kOutputs = 8;
constexpr std::size_t kVectors = 3;
#endif
static_assert(kPanelWidth % kOutputs == 0, "a panel must split into whole register blocks");

// Rows a tile holds: whole register blocks, about 48 rows.
constexpr std::size_t kTargetTileRows = 48;

std::size_t TileRows() {
  const std::size_t block = kVectors * hn::Lanes(D());
  const std::size_t blocks = std::max<std::size_t>(1, kTargetTileRows / block);
  return std::min(block * blocks, kMaxTileRows);
}

// ELU with an accurate expm1 for negative inputs (Min keeps expm1 from overflowing).
HWY_INLINE V Elu(D d, V x) {
  const V zero = hn::Zero(d);
  return hn::IfThenElse(hn::Gt(x, zero), x, hn::Expm1(d, hn::Min(x, zero)));
}

// 1 / (1 + exp(-x)), with x clamped to +-88 where the result is 0 or 1 in float.
HWY_INLINE V Sigmoid(D d, V x) {
  const V limit = hn::Set(d, 88.0F);
  const V clamped = hn::Min(hn::Max(x, hn::Neg(limit)), limit);
  const V one = hn::Set(d, 1.0F);
  return hn::Div(one, hn::Add(one, hn::Exp(d, hn::Neg(clamped))));
}

// Micro-kernel: y[o][r] = ELU(bias[o] + sum_i w[i][o] x[i][r] (+ y[o][r] if kResidual))
// for kOutputs outputs and kVectors vectors of rows.
//   weights: panel slice, weight (i, o) at weights[i * kPanelWidth + o]
//   x: `in` features with stride `stride`, 64-byte aligned rows of the block
//   y: kOutputs features with stride `stride`. With kResidual it contains the
//      residual input on entry, and each element is read before it is overwritten.
template <bool kResidual>
HWY_INLINE void RegisterBlock(D d, const float* HWY_RESTRICT weights,
                              const float* HWY_RESTRICT bias, std::size_t in,
                              const float* HWY_RESTRICT x, std::size_t stride, float* y) {
  const std::size_t lanes = hn::Lanes(d);
  V acc[kOutputs][kVectors];
#pragma GCC unroll 8
  for (std::size_t o = 0; o < kOutputs; ++o) {
    const V b = hn::Set(d, bias[o]);
#pragma GCC unroll 8
    for (std::size_t v = 0; v < kVectors; ++v) acc[o][v] = b;
  }

  for (std::size_t i = 0; i < in; ++i) {
    const float* HWY_RESTRICT xi = x + i * stride;
    V xv[kVectors];
#pragma GCC unroll 8
    for (std::size_t v = 0; v < kVectors; ++v) xv[v] = hn::Load(d, xi + v * lanes);
    const float* HWY_RESTRICT wi = weights + i * kPanelWidth;
#pragma GCC unroll 8
    for (std::size_t o = 0; o < kOutputs; ++o) {
      const V w = hn::Set(d, wi[o]);
#pragma GCC unroll 8
      for (std::size_t v = 0; v < kVectors; ++v) acc[o][v] = hn::MulAdd(w, xv[v], acc[o][v]);
    }
  }

#pragma GCC unroll 8
  for (std::size_t o = 0; o < kOutputs; ++o) {
#pragma GCC unroll 8
    for (std::size_t v = 0; v < kVectors; ++v) {
      float* target = y + o * stride + v * lanes;
      V sum = acc[o][v];
      if (kResidual) sum = hn::Add(sum, hn::Load(d, target));
      hn::Store(Elu(d, sum), d, target);
    }
  }
}

// One hidden layer for a whole tile: x (layer.in features) -> y (layer.out_padded features).
template <bool kResidual>
void HiddenLayer(const PackedLayer& layer, const float* HWY_RESTRICT x, float* y,
                 std::size_t tile_rows) {
  const D d;
  const std::size_t block_rows = kVectors * hn::Lanes(d);
  const std::size_t panels = layer.out_padded / kPanelWidth;
  for (std::size_t panel = 0; panel < panels; ++panel) {
    const float* panel_weights = layer.weights + panel * layer.in * kPanelWidth;
    for (std::size_t row = 0; row < tile_rows; row += block_rows) {
      for (std::size_t half = 0; half < kPanelWidth; half += kOutputs) {
        const std::size_t first_output = panel * kPanelWidth + half;
        RegisterBlock<kResidual>(d, panel_weights + half, layer.bias + first_output, layer.in,
                                 x + row, tile_rows, y + first_output * tile_rows + row);
      }
    }
  }
}

// Output layer: scores[r] = sigmoid(bias + sum_i w[i] x[i][r]) for the tile's rows.
void OutputLayer(const PackedLayer& layer, const float* HWY_RESTRICT x, float* scores,
                 std::size_t tile_rows) {
  const D d;
  const std::size_t lanes = hn::Lanes(d);
  const V bias = hn::Set(d, layer.bias[0]);
  for (std::size_t row = 0; row < tile_rows; row += lanes) {
    V acc = bias;
    for (std::size_t i = 0; i < layer.in; ++i) {
      acc = hn::MulAdd(hn::Set(d, layer.weights[i]), hn::Load(d, x + i * tile_rows + row), acc);
    }
    hn::Store(Sigmoid(d, acc), d, scores + row);
  }
}

// Writes (column - min) * scale for rows [first, first + count) into the
// tile buffer, and zeros into the rows of the tile past `count`.
void NormaliseInputs(const PackedNetwork& network, const float* const* columns,
                     std::size_t first, std::size_t count, float* x, std::size_t tile_rows) {
  const D d;
  const std::size_t lanes = hn::Lanes(d);
  for (std::size_t i = 0; i < network.input_width; ++i) {
    const float* column = columns[i] + first;
    float* target = x + i * tile_rows;
    const V low = hn::Set(d, network.input_min[i]);
    const V scale = hn::Set(d, network.input_scale[i]);
    std::size_t row = 0;
    for (; row + lanes <= count; row += lanes) {
      hn::Store(hn::Mul(hn::Sub(hn::LoadU(d, column + row), low), scale), d, target + row);
    }
    for (; row < count; ++row) {
      target[row] = (column[row] - network.input_min[i]) * network.input_scale[i];
    }
    for (; row < tile_rows; ++row) {
      target[row] = 0.0F;
    }
  }
}

void ScoreTiles(const PackedNetwork& network, const float* const* columns, std::size_t rows,
                float* out, float* workspace) {
  const std::size_t tile_rows = TileRows();
  const std::size_t buffer_floats = network.max_width_padded * tile_rows;
  float* buffer_a = workspace;
  float* buffer_b = workspace + buffer_floats;
  HWY_ALIGN float scores[kMaxTileRows];

  for (std::size_t first = 0; first < rows; first += tile_rows) {
    const std::size_t count = std::min(tile_rows, rows - first);
    float* x = buffer_a;
    float* spare = buffer_b;
    NormaliseInputs(network, columns, first, count, x, tile_rows);

    // Three kinds of hidden layer:
    // 1. plain (dense, projection): x -> spare, then the buffers swap;
    // 2. first Linear of a residual block: x -> spare, x stays as the block input;
    // 3. second Linear of a residual block: spare -> x in place, adding x.
    for (const PackedLayer& layer : network.layers) {
      if (layer.activation == Activation::kSigmoid) {
        OutputLayer(layer, x, scores, tile_rows);
      } else if (layer.adds_residual) {
        HiddenLayer<true>(layer, spare, x, tile_rows);
      } else if (layer.starts_residual) {
        HiddenLayer<false>(layer, x, spare, tile_rows);
      } else {
        HiddenLayer<false>(layer, x, spare, tile_rows);
        std::swap(x, spare);
      }
    }
    std::copy(scores, scores + count, out + first);
  }
}

KernelDescription DescribeKernel() {
  return KernelDescription{hwy::TargetName(HWY_TARGET), hn::Lanes(D()), TileRows()};
}

}  // namespace HWY_NAMESPACE
}  // namespace trackpurity::nn::detail
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace trackpurity::nn::detail {

HWY_EXPORT(ScoreTiles);
HWY_EXPORT(DescribeKernel);

KernelDescription describe_kernel() noexcept { return HWY_DYNAMIC_DISPATCH(DescribeKernel)(); }

std::size_t workspace_floats(const PackedNetwork& network, const KernelDescription& kernel) noexcept {
  return 2 * network.max_width_padded * kernel.tile_rows;
}

void score_tiles(const PackedNetwork& network, const float* const* columns, std::size_t rows,
                 float* out, float* workspace) noexcept {
  // Allocates nothing: all buffers are in `workspace` or on the stack.
  HWY_DYNAMIC_DISPATCH(ScoreTiles)(network, columns, rows, out, workspace);
}

}  // namespace trackpurity::nn::detail
#endif
