#include "trackpurity/nn/cpu_engine.hpp"

#include <algorithm>
#include <new>

#include "trackpurity/nn/folding.hpp"

namespace trackpurity::nn {

namespace {

std::size_t round_up(std::size_t value, std::size_t multiple) {
  return (value + multiple - 1) / multiple * multiple;
}

// Keeps every array 64-byte aligned inside the packed storage.
constexpr std::size_t kAlignFloats = 16;

detail::PackedNetwork pack(const FoldedNetwork& folded) {
  using detail::kPanelWidth;
  detail::PackedNetwork network;
  network.input_width = folded.input_width();

  // 1. Size the storage: normalisation constants, then each layer's weights and bias.
  std::size_t floats = 2 * round_up(network.input_width, kAlignFloats);
  for (const FoldedLayer& layer : folded.layers) {
    const std::size_t out_padded = round_up(layer.out, kPanelWidth);
    floats += round_up(layer.in * out_padded, kAlignFloats) + round_up(out_padded, kAlignFloats);
  }
  network.storage = hwy::AllocateAligned<float>(floats);
  std::fill(network.storage.get(), network.storage.get() + floats, 0.0F);
  network.weight_bytes = floats * sizeof(float);

  // 2. Copy the normalisation constants.
  float* cursor = network.storage.get();
  std::copy(folded.input_min.begin(), folded.input_min.end(), cursor);
  network.input_min = cursor;
  cursor += round_up(network.input_width, kAlignFloats);
  std::copy(folded.input_scale.begin(), folded.input_scale.end(), cursor);
  network.input_scale = cursor;
  cursor += round_up(network.input_width, kAlignFloats);

  // 3. Pack the layers: panels for hidden layers, a plain vector for the output layer.
  network.max_width_padded = round_up(network.input_width, kPanelWidth);
  for (const FoldedLayer& layer : folded.layers) {
    detail::PackedLayer packed;
    packed.in = layer.in;
    packed.out = layer.out;
    packed.out_padded = round_up(layer.out, kPanelWidth);
    packed.activation = layer.activation;
    packed.starts_residual = layer.starts_residual;
    packed.adds_residual = layer.adds_residual;

    float* weights = cursor;
    if (layer.activation == Activation::kSigmoid) {
      std::copy(layer.weight.begin(), layer.weight.end(), weights);
    } else {
      for (std::size_t o = 0; o < layer.out; ++o) {
        const std::size_t panel = o / kPanelWidth;
        const std::size_t lane = o % kPanelWidth;
        for (std::size_t i = 0; i < layer.in; ++i) {
          weights[(panel * layer.in + i) * kPanelWidth + lane] = layer.weight[o * layer.in + i];
        }
      }
    }
    cursor += round_up(layer.in * packed.out_padded, kAlignFloats);
    float* bias = cursor;
    std::copy(layer.bias.begin(), layer.bias.end(), bias);
    cursor += round_up(packed.out_padded, kAlignFloats);

    packed.weights = weights;
    packed.bias = bias;
    network.max_width_padded = std::max(network.max_width_padded, packed.out_padded);
    network.layers.push_back(packed);
  }
  return network;
}

}  // namespace

void CpuEngine::Workspace::reserve(std::size_t floats) {
  if (floats <= size_) {
    return;
  }
  buffer_ = hwy::AllocateAligned<float>(floats);
  if (!buffer_) {
    throw std::bad_alloc();
  }
  size_ = floats;
}

CpuEngine::CpuEngine(const Model& model) {
  validate_model(model, "<in-memory model>");
  network_ = pack(fold_batchnorm(model));
  kernel_ = detail::describe_kernel();
  workspace_floats_ = detail::workspace_floats(network_, kernel_);
}

void CpuEngine::score(std::span<const float* const> columns, std::size_t rows,
                      std::span<float> out) const {
  // One workspace per thread, shared by all engines: calls on a thread never overlap.
  thread_local Workspace workspace;
  score(columns, rows, out, workspace);
}

void CpuEngine::score(std::span<const float* const> columns, std::size_t rows,
                      std::span<float> out, Workspace& workspace) const {
  detail::check_score_arguments(name(), input_width(), columns, rows, out);
  // Sized for the target dispatched now, which a test may have changed since construction.
  workspace.reserve(detail::workspace_floats(network_, detail::describe_kernel()));
  detail::score_tiles(network_, columns.data(), rows, out.data(), workspace.data());
}

}  // namespace trackpurity::nn
