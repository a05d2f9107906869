#pragma once

#include <span>

#include "trackpurity/nn/engine.hpp"
#include "trackpurity/nn/model.hpp"

namespace trackpurity::nn {

// The definition of a correct score: every layer evaluated as written, in
// double precision, with BatchNorm unfolded and row by row. Slow on purpose.
class ReferenceEngine final : public Engine {
 public:
  // Copies the model. Throws FileError (source "<in-memory model>") when
  // validate_model rejects it.
  explicit ReferenceEngine(const Model& model);

  std::string_view name() const noexcept override { return "reference"; }
  std::size_t input_width() const noexcept override { return model_.architecture.input_width; }

  void score(std::span<const float* const> columns, std::size_t rows,
             std::span<float> out) const override;

  // Same as score(), without rounding the result to float.
  void score_double(std::span<const float* const> columns, std::size_t rows,
                    std::span<double> out) const;

  // Scores one row of already gathered inputs (input_width() values).
  double score_row(std::span<const double> inputs) const;

 private:
  Model model_;
};

}  // namespace trackpurity::nn
