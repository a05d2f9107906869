#pragma once

#include <cstddef>
#include <span>
#include <string_view>

#include <hwy/aligned_allocator.h>

#include "trackpurity/nn/detail/packed_network.hpp"
#include "trackpurity/nn/engine.hpp"
#include "trackpurity/nn/model.hpp"

namespace trackpurity::nn {

// The production engine: float32, BatchNorm folded, SIMD with the target
// (AVX2, AVX-512, ...) chosen at run time. Rows pass through all layers in
// tiles of a few dozen rows, so activations stay in L1/L2 cache.
// Contract: |cpu - reference| <= 1e-5 on every row.
// A const CpuEngine may be shared by any number of threads.
class CpuEngine final : public Engine {
 public:
  // Scratch memory for one thread's calls: two activation buffers of one tile.
  class Workspace {
   public:
    Workspace() = default;
    // Grows the buffer to at least `floats` floats; allocates only when it grows.
    void reserve(std::size_t floats);
    float* data() noexcept { return buffer_.get(); }
    std::size_t size() const noexcept { return size_; }

   private:
    hwy::AlignedFreeUniquePtr<float[]> buffer_;
    std::size_t size_ = 0;
  };

  // Folds and packs the model. Throws FileError (source "<in-memory model>")
  // when validate_model rejects it.
  explicit CpuEngine(const Model& model);

  std::string_view name() const noexcept override { return "cpu"; }
  std::size_t input_width() const noexcept override { return network_.input_width; }

  // Scores with a workspace owned by the calling thread, allocated on the
  // thread's first call and grown when a larger network needs more.
  void score(std::span<const float* const> columns, std::size_t rows,
             std::span<float> out) const override;

  // Scores with a caller-owned workspace. Allocates only if `workspace` is
  // smaller than workspace_floats().
  void score(std::span<const float* const> columns, std::size_t rows, std::span<float> out,
             Workspace& workspace) const;

  // Workspace size for the SIMD target chosen at construction.
  std::size_t workspace_floats() const noexcept { return workspace_floats_; }
  // Bytes of packed weights, biases and normalisation constants.
  std::size_t weight_bytes() const noexcept { return network_.weight_bytes; }
  const detail::KernelDescription& kernel() const noexcept { return kernel_; }

 private:
  detail::PackedNetwork network_;
  detail::KernelDescription kernel_;
  std::size_t workspace_floats_ = 0;
};

}  // namespace trackpurity::nn
