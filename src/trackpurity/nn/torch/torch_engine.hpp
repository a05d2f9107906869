#pragma once

#include "trackpurity/nn/engine.hpp"
#include "trackpurity/nn/model.hpp"
#include "trackpurity/nn/torch/purity_net.hpp"

namespace trackpurity::nn {

// Scores through libtorch in evaluation mode, float32: the peer of the cpu
// engine in agreement tests and speed comparisons. It uses libtorch's own
// thread settings (torch::set_num_threads).
class TorchEngine final : public Engine {
 public:
  explicit TorchEngine(const Model& model);

  std::string_view name() const noexcept override { return "libtorch"; }
  std::size_t input_width() const noexcept override { return input_width_; }

  // Gathers the columns into a [rows, inputs] tensor and runs the module's forward().
  void score(std::span<const float* const> columns, std::size_t rows,
             std::span<float> out) const override;

 private:
  std::size_t input_width_ = 0;
  // forward() does not change the module in evaluation mode, so a const
  // engine calls it from any thread.
  mutable PurityNet net_{nullptr};
};

// Sets libtorch's intra-op threads, and its inter-op threads when they can
// still change (libtorch fixes them at the first parallel operation). It also
// limits OpenBLAS, which Debian's libtorch calls for matrix products, to one
// thread: OpenBLAS otherwise starts a thread per core inside every libtorch
// thread, which oversubscribed 2 cores and slowed training 5 to 10 times here.
void set_libtorch_threads(int threads);

// Sets the OpenBLAS thread count when the process uses OpenBLAS; returns
// false when no OpenBLAS is loaded (another BLAS, nothing to do).
bool set_openblas_threads(int threads) noexcept;

}  // namespace trackpurity::nn
