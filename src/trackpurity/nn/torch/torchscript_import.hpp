#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "trackpurity/nn/model.hpp"

namespace trackpurity::nn {

struct TorchScriptImportOptions {
  // Feature set name recorded in the model (informational).
  std::string feature_set;
  // Random probe rows for the self-check. Half lie inside the normalisation
  // range, half up to one range width outside it. Rows with each feature at
  // its min and at its max are added to these.
  std::size_t probe_rows = 2048;
  // Seed of the probe rows.
  std::uint64_t seed = 20261204;
  // Largest accepted |libtorch - cpu engine| on any probe row.
  double tolerance = 1e-5;
};

// Imports a TorchScript module (.pt) of the residual MLP family.
// The module's parameters and buffers must carry the model file's names
// (dense.0.linear.weight, dense.0.bn.running_var, projection.weight,
// residual.0.linear1.weight, output.bias, feature_min, feature_max, ...),
// all float32; BatchNorm's num_batches_tracked buffers are ignored. Its
// forward() must map raw features [rows, inputs] to scores [rows, 1] or [rows].
// After conversion a self-check runs libtorch's forward and the native cpu
// engine on probe rows and rejects the import when any |difference| reaches
// options.tolerance, naming the largest. Throws FileError naming the file,
// the tensor or field and the expected value.
Model import_torchscript(const std::string& path, std::vector<std::string> feature_names,
                         const TorchScriptImportOptions& options = {});

}  // namespace trackpurity::nn
