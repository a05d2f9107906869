#pragma once

#include <cstddef>
#include <vector>

#include <hwy/aligned_allocator.h>

#include "trackpurity/nn/folding.hpp"

namespace trackpurity::nn::detail {

// Outputs per weight panel. Every SIMD target reads this one layout, so the
// packing does not depend on the target chosen at run time.
inline constexpr std::size_t kPanelWidth = 8;

// Largest tile any target uses, in rows (sizes the stack buffer of a tile's scores).
inline constexpr std::size_t kMaxTileRows = 256;

// One folded layer in the cpu engine's layout. Hidden layers store their
// weights as panels of kPanelWidth outputs, [out_padded / kPanelWidth][in][kPanelWidth],
// with zero weights and bias on the padding outputs. The output layer (one
// output, sigmoid) stores its `in` weights as a plain vector.
struct PackedLayer {
  std::size_t in = 0;
  std::size_t out = 0;
  std::size_t out_padded = 0;
  const float* weights = nullptr;
  const float* bias = nullptr;  // out_padded values
  Activation activation = Activation::kElu;
  bool starts_residual = false;
  bool adds_residual = false;
};

// The whole network for the cpu engine, in one 64-byte aligned allocation.
struct PackedNetwork {
  std::size_t input_width = 0;
  const float* input_min = nullptr;
  const float* input_scale = nullptr;
  std::vector<PackedLayer> layers;
  // Largest layer width (input included), rounded up to kPanelWidth.
  std::size_t max_width_padded = 0;
  // Bytes of weights, biases and normalisation constants in `storage`.
  std::size_t weight_bytes = 0;
  hwy::AlignedFreeUniquePtr<float[]> storage;
};

// The dispatched SIMD target and its tile shape.
struct KernelDescription {
  const char* target = "";
  std::size_t lanes = 0;      // floats per SIMD vector
  std::size_t tile_rows = 0;  // rows that pass through all layers together
};

// Describes the kernel that score_tiles() runs on this machine.
KernelDescription describe_kernel() noexcept;

// Floats of workspace that score_tiles() needs for `network`.
std::size_t workspace_floats(const PackedNetwork& network, const KernelDescription& kernel) noexcept;

// Scores `rows` rows of column-major inputs into out[0 .. rows). `workspace`
// is 64-byte aligned with at least workspace_floats() floats.
// Allocates nothing and throws nothing.
void score_tiles(const PackedNetwork& network, const float* const* columns, std::size_t rows,
                 float* out, float* workspace) noexcept;

}  // namespace trackpurity::nn::detail
