#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace trackpurity::validation {

// One curve of a plot. y_low and y_high, when filled, are drawn as error bars.
struct Series {
  std::string title;
  std::vector<double> x;
  std::vector<double> y;
  std::vector<double> y_low;
  std::vector<double> y_high;
  enum class Style { kPoints, kLines, kSteps } style = Style::kPoints;
};

// A labelled marker (a working point on a ROC curve, for example).
struct Marker {
  std::string label;
  double x = 0.0;
  double y = 0.0;
};

struct PlotSpec {
  std::string title;
  std::string x_label;
  std::string y_label;
  bool log_x = false;
  bool log_y = false;
  std::optional<std::pair<double, double>> x_range;
  std::optional<std::pair<double, double>> y_range;
  std::vector<Series> series;
  std::vector<Marker> markers;
};

// Renders `spec` to the PNG file `png` with gnuplot (pngcairo terminal). The
// data and script are written beside it as <stem>.dat and <stem>.gp so that a
// user can restyle the plot. Throws std::runtime_error naming the command when
// gnuplot is missing or fails, or when the PNG is not written.
void render_png(const PlotSpec& spec, const std::filesystem::path& png);

// True when the first 8 bytes of `path` are the PNG signature.
bool is_png_file(const std::filesystem::path& path);

}  // namespace trackpurity::validation
