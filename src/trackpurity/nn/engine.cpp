#include "trackpurity/nn/engine.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace trackpurity::nn::detail {

void check_score_arguments(std::string_view engine, std::size_t input_width,
                           std::span<const float* const> columns, std::size_t rows,
                           std::span<float> out) {
  if (columns.size() != input_width) {
    throw std::invalid_argument(fmt::format("{} engine: {} input columns given, expected {}",
                                            engine, columns.size(), input_width));
  }
  if (out.size() < rows) {
    throw std::invalid_argument(fmt::format(
        "{} engine: output span has {} elements, expected at least {} (one per row)", engine,
        out.size(), rows));
  }
  if (rows == 0) {
    return;
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == nullptr) {
      throw std::invalid_argument(
          fmt::format("{} engine: input column {} is a null pointer", engine, i));
    }
  }
}

}  // namespace trackpurity::nn::detail
