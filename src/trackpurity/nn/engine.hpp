#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace trackpurity::nn {

// Scores rows of a column-major feature table with a network of the residual
// MLP family. Implementations are const and safe to call from several threads
// at once.
class Engine {
 public:
  virtual ~Engine() = default;

  // Short name: "cpu", "reference", "libtorch".
  virtual std::string_view name() const noexcept = 0;

  // Number of input columns score() expects, in the model's feature order.
  virtual std::size_t input_width() const noexcept = 0;

  // Writes one score in [0, 1] per row to out[0 .. rows).
  // columns[i] points to `rows` contiguous floats of input feature i, in the
  // model's feature order (see FeatureBinding). Throws std::invalid_argument
  // when columns.size() differs from input_width() or out is shorter than rows.
  // NOTE: inputs are not checked for finiteness. A NaN input gives a NaN score, and
  // float engines may give NaN where inputs are so large that activations overflow.
  virtual void score(std::span<const float* const> columns, std::size_t rows,
                     std::span<float> out) const = 0;
};

namespace detail {

// Throws std::invalid_argument unless the arguments of Engine::score fit an
// engine with `input_width` inputs.
void check_score_arguments(std::string_view engine, std::size_t input_width,
                           std::span<const float* const> columns, std::size_t rows,
                           std::span<float> out);

}  // namespace detail

}  // namespace trackpurity::nn
