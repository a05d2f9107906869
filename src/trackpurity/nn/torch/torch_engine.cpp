#include "trackpurity/nn/torch/torch_engine.hpp"

#include <dlfcn.h>

#include <algorithm>

namespace trackpurity::nn {

TorchEngine::TorchEngine(const Model& model)
    : input_width_(model.architecture.input_width), net_(to_torch(model)) {
  net_->eval();
}

void TorchEngine::score(std::span<const float* const> columns, std::size_t rows,
                        std::span<float> out) const {
  detail::check_score_arguments(name(), input_width(), columns, rows, out);
  if (rows == 0) {
    return;
  }
  torch::InferenceMode inference_mode;
  const auto row_count = static_cast<std::int64_t>(rows);
  std::vector<torch::Tensor> column_tensors;
  column_tensors.reserve(columns.size());
  for (const float* column : columns) {
    column_tensors.push_back(
        torch::from_blob(const_cast<float*>(column), {row_count}, torch::kFloat32));
  }
  const torch::Tensor inputs = torch::stack(column_tensors, /*dim=*/1);
  const torch::Tensor scores = net_->forward(inputs).reshape({-1}).contiguous();
  std::copy_n(scores.data_ptr<float>(), rows, out.begin());
}

bool set_openblas_threads(int threads) noexcept {
  // Looked up at run time: libtorch reaches OpenBLAS through the system BLAS
  // alternative, so this program does not link it by name.
  using SetThreads = void (*)(int);
  void* symbol = ::dlsym(RTLD_DEFAULT, "openblas_set_num_threads");
  if (symbol == nullptr) {
    return false;
  }
  reinterpret_cast<SetThreads>(symbol)(threads);
  return true;
}

void set_libtorch_threads(int threads) {
  set_openblas_threads(1);
  torch::set_num_threads(threads);
  try {
    at::set_num_interop_threads(threads);
  } catch (const c10::Error&) {
    // Already fixed by an earlier parallel operation: keep libtorch's choice.
  }
}

}  // namespace trackpurity::nn
