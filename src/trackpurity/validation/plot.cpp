#include "trackpurity/validation/plot.hpp"

#include <array>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <fmt/format.h>

namespace trackpurity::validation {

namespace {

// Quotes a string for a gnuplot double-quoted literal.
std::string quoted(const std::string& text) {
  std::string result = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      result += '\\';
    }
    result += c;
  }
  return result + "\"";
}

// Quotes a path for /bin/sh.
std::string shell_quoted(const std::string& text) {
  std::string result = "'";
  for (const char c : text) {
    if (c == '\'') {
      result += "'\\''";
    } else {
      result += c;
    }
  }
  return result + "'";
}

bool has_errors(const Series& series) {
  return series.y_low.size() == series.y.size() && series.y_high.size() == series.y.size() &&
         !series.y.empty();
}

void write_data(const PlotSpec& spec, const std::filesystem::path& data_path) {
  std::ofstream data(data_path);
  if (!data) {
    throw std::runtime_error("cannot write plot data " + data_path.string());
  }
  // One gnuplot data block per series, separated by two blank lines.
  for (const Series& series : spec.series) {
    data << "# " << series.title << "\n";
    const bool errors = has_errors(series);
    for (std::size_t i = 0; i < series.x.size() && i < series.y.size(); ++i) {
      data << fmt::format("{:.9g} {:.9g}", series.x[i], series.y[i]);
      if (errors) {
        data << fmt::format(" {:.9g} {:.9g}", series.y_low[i], series.y_high[i]);
      }
      data << "\n";
    }
    if (series.x.empty()) {
      data << "nan nan\n";  // gnuplot needs at least one row per block
    }
    data << "\n\n";
  }
}

std::string plot_clause(const Series& series, std::size_t index, const std::string& data_file) {
  const std::string source = fmt::format("{} index {}", quoted(data_file), index);
  const std::string title = "title " + quoted(series.title);
  if (has_errors(series)) {
    return fmt::format("{} using 1:2:3:4 with yerrorbars pt 7 ps 0.6 {}", source, title);
  }
  switch (series.style) {
    case Series::Style::kLines:
      return fmt::format("{} using 1:2 with lines lw 2 {}", source, title);
    case Series::Style::kSteps:
      return fmt::format("{} using 1:2 with histeps lw 2 {}", source, title);
    case Series::Style::kPoints:
      break;
  }
  return fmt::format("{} using 1:2 with points pt 7 ps 0.6 {}", source, title);
}

}  // namespace

void render_png(const PlotSpec& spec, const std::filesystem::path& png) {
  const std::filesystem::path directory = png.parent_path().empty() ? "." : png.parent_path();
  std::filesystem::create_directories(directory);
  const std::filesystem::path data_path = directory / (png.stem().string() + ".dat");
  const std::filesystem::path script_path = directory / (png.stem().string() + ".gp");
  write_data(spec, data_path);

  std::ofstream script(script_path);
  if (!script) {
    throw std::runtime_error("cannot write plot script " + script_path.string());
  }
  script << "set terminal pngcairo size 900,650 enhanced font 'sans,11'\n";
  script << "set output " << quoted(png.filename().string()) << "\n";
  script << "set title " << quoted(spec.title) << " noenhanced\n";
  script << "set xlabel " << quoted(spec.x_label) << "\n";
  script << "set ylabel " << quoted(spec.y_label) << "\n";
  script << "set grid\nset key bottom right noenhanced\n";
  if (spec.log_x) {
    script << "set logscale x\n";
  }
  if (spec.log_y) {
    script << "set logscale y\n";
  }
  if (spec.x_range) {
    script << fmt::format("set xrange [{:.9g}:{:.9g}]\n", spec.x_range->first, spec.x_range->second);
  }
  if (spec.y_range) {
    script << fmt::format("set yrange [{:.9g}:{:.9g}]\n", spec.y_range->first, spec.y_range->second);
  }
  for (std::size_t i = 0; i < spec.markers.size(); ++i) {
    const Marker& marker = spec.markers[i];
    script << fmt::format("set object {} circle at {:.9g},{:.9g} size char 0.6 fc rgb 'black' fs solid\n",
                          i + 1, marker.x, marker.y);
    // Right-aligned, left of the point and one line lower per marker, so that
    // labels of close points near the right edge stay inside the frame.
    script << fmt::format("set label {} {} at {:.9g},{:.9g} right offset char -1,{} noenhanced\n", i + 1,
                          quoted(marker.label), marker.x, marker.y, -static_cast<int>(i));
  }
  std::size_t point_count = 0;
  for (const Series& series : spec.series) {
    point_count += series.y.size();
  }
  if (point_count == 0) {
    // gnuplot cannot autoscale without data: draw an empty frame labelled 'no entries'.
    script << "set xrange [0:1]\nset yrange [0:1]\n";
    script << "set label 'no entries' at 0.5,0.5 center\nplot NaN notitle\n";
  } else {
    script << "plot ";
    for (std::size_t i = 0; i < spec.series.size(); ++i) {
      script << (i > 0 ? ", \\\n     " : "")
             << plot_clause(spec.series[i], i, data_path.filename().string());
    }
    script << "\n";
  }
  script.close();

  // gnuplot runs in the output folder so the script refers to plain file names.
  std::filesystem::remove(png);
  const std::string command = fmt::format("cd {} && gnuplot {} 2>&1", shell_quoted(directory.string()),
                                          shell_quoted(script_path.filename().string()));
  const int status = std::system(command.c_str());
  if (status != 0) {
    throw std::runtime_error(fmt::format(
        "gnuplot failed (status {}) for {}: is gnuplot-nox installed? Command: {}", status,
        script_path.string(), command));
  }
  if (!is_png_file(png)) {
    throw std::runtime_error("gnuplot did not write a PNG file at " + png.string());
  }
}

bool is_png_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::array<unsigned char, 8> header{};
  if (!file.read(reinterpret_cast<char*>(header.data()), header.size())) {
    return false;
  }
  constexpr std::array<unsigned char, 8> kSignature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  return header == kSignature;
}

}  // namespace trackpurity::validation
