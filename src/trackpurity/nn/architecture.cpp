#include "trackpurity/nn/architecture.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::nn {

namespace {

// Largest width accepted for any layer: far above any network of this family,
// and small enough that width products cannot overflow.
constexpr std::size_t kMaxWidth = 1 << 16;

std::size_t linear_parameters(std::size_t in, std::size_t out) { return in * out + out; }

}  // namespace

void Architecture::validate() const {
  if (input_width == 0 || input_width > kMaxWidth) {
    throw ConfigError(fmt::format("architecture.input_width is {}, expected 1 to {}",
                                  input_width, kMaxWidth));
  }
  if (dense_widths.empty()) {
    throw ConfigError("architecture.dense_widths is empty, expected at least one dense block");
  }
  for (std::size_t i = 0; i < dense_widths.size(); ++i) {
    if (dense_widths[i] == 0 || dense_widths[i] > kMaxWidth) {
      throw ConfigError(fmt::format("architecture.dense_widths[{}] is {}, expected 1 to {}", i,
                                    dense_widths[i], kMaxWidth));
    }
  }
  if (projection_width == 0 || projection_width > kMaxWidth) {
    throw ConfigError(fmt::format("architecture.projection_width is {}, expected 1 to {}",
                                  projection_width, kMaxWidth));
  }
  if (residual_blocks > 1024) {
    throw ConfigError(
        fmt::format("architecture.residual_blocks is {}, expected at most 1024", residual_blocks));
  }
  if (!(batchnorm_eps > 0.0) || !std::isfinite(batchnorm_eps)) {
    throw ConfigError(fmt::format("architecture.batchnorm_eps is {}, expected a positive number",
                                  batchnorm_eps));
  }
}

std::size_t Architecture::parameter_count() const {
  std::size_t count = 0;
  std::size_t width = input_width;
  for (std::size_t out : dense_widths) {
    count += linear_parameters(width, out) + 2 * out;  // Linear, BatchNorm gamma and beta
    width = out;
  }
  count += linear_parameters(width, projection_width);
  count += residual_blocks *
           2 * (linear_parameters(projection_width, projection_width) + 2 * projection_width);
  count += linear_parameters(projection_width, 1);
  return count;
}

std::size_t Architecture::multiply_adds_per_row() const {
  std::size_t count = 0;
  std::size_t width = input_width;
  for (std::size_t out : dense_widths) {
    count += width * out;
    width = out;
  }
  count += width * projection_width;
  count += residual_blocks * 2 * projection_width * projection_width;
  count += projection_width;
  return count;
}

std::size_t Architecture::max_width() const {
  std::size_t width = std::max(input_width, projection_width);
  for (std::size_t out : dense_widths) {
    width = std::max(width, out);
  }
  return width;
}

nlohmann::json Architecture::to_json() const {
  return nlohmann::json{
      {"family", "residual_mlp"},
      {"input_width", input_width},
      {"dense_widths", dense_widths},
      {"projection_width", projection_width},
      {"residual_blocks", residual_blocks},
      {"activation", "elu"},
      {"output_activation", "sigmoid"},
      {"batchnorm_eps", batchnorm_eps},
  };
}

Architecture Architecture::from_json(const nlohmann::json& document) {
  if (!document.is_object()) {
    throw ConfigError("architecture is not a JSON object");
  }
  auto member = [&](const char* name) -> const nlohmann::json& {
    auto found = document.find(name);
    if (found == document.end()) {
      throw ConfigError(fmt::format("architecture.{} is missing", name));
    }
    return *found;
  };
  auto unsigned_member = [&](const char* name) {
    const nlohmann::json& value = member(name);
    if (!value.is_number_unsigned()) {
      throw ConfigError(
          fmt::format("architecture.{} is {}, expected a non-negative integer", name, value.dump()));
    }
    return value.get<std::size_t>();
  };

  if (auto family = document.find("family");
      family != document.end() && *family != "residual_mlp") {
    throw ConfigError(
        fmt::format("architecture.family is {}, expected \"residual_mlp\"", family->dump()));
  }

  Architecture architecture;
  architecture.input_width = unsigned_member("input_width");
  architecture.projection_width = unsigned_member("projection_width");
  architecture.residual_blocks = unsigned_member("residual_blocks");
  const nlohmann::json& widths = member("dense_widths");
  if (!widths.is_array()) {
    throw ConfigError(fmt::format("architecture.dense_widths is {}, expected an array of integers",
                                  widths.dump()));
  }
  architecture.dense_widths.clear();
  for (const nlohmann::json& width : widths) {
    if (!width.is_number_unsigned()) {
      throw ConfigError(fmt::format(
          "architecture.dense_widths contains {}, expected non-negative integers", width.dump()));
    }
    architecture.dense_widths.push_back(width.get<std::size_t>());
  }
  if (auto eps = document.find("batchnorm_eps"); eps != document.end()) {
    if (!eps->is_number()) {
      throw ConfigError(
          fmt::format("architecture.batchnorm_eps is {}, expected a number", eps->dump()));
    }
    architecture.batchnorm_eps = eps->get<double>();
  }
  architecture.validate();
  return architecture;
}

std::string describe(const Architecture& architecture) {
  return fmt::format("{} -> [{}] -> {} x {} residual -> 1", architecture.input_width,
                     fmt::join(architecture.dense_widths, ", "), architecture.projection_width,
                     architecture.residual_blocks);
}

}  // namespace trackpurity::nn
