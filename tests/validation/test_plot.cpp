#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "trackpurity/validation/plot.hpp"

namespace trackpurity::validation {
namespace {

std::filesystem::path scratch_dir(const std::string& name) {
  const auto path = std::filesystem::temp_directory_path() / ("trackpurity_plot_" + name);
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  return path;
}

TEST(RenderPng, WritesValidPngWithDataAndScript) {
  const auto directory = scratch_dir("render");
  PlotSpec spec;
  spec.title = "efficiency \"test\"";
  spec.x_label = "pT [GeV]";
  spec.y_label = "efficiency";
  spec.log_x = true;
  spec.y_range = std::make_pair(0.0, 1.05);
  Series series;
  series.title = "all tracks";
  series.x = {1.0, 2.0, 5.0};
  series.y = {0.9, 0.95, 0.97};
  series.y_low = {0.85, 0.93, 0.96};
  series.y_high = {0.93, 0.97, 0.98};
  spec.series.push_back(series);
  spec.markers.push_back({"cut-based", 2.0, 0.95});

  const auto png = directory / "efficiency_pt.png";
  render_png(spec, png);
  EXPECT_TRUE(is_png_file(png));
  EXPECT_GT(std::filesystem::file_size(png), 1000U);
  EXPECT_TRUE(std::filesystem::exists(directory / "efficiency_pt.dat"));
  EXPECT_TRUE(std::filesystem::exists(directory / "efficiency_pt.gp"));
  std::filesystem::remove_all(directory);
}

TEST(RenderPng, EmptySeriesStillRenders) {
  const auto directory = scratch_dir("empty");
  PlotSpec spec;
  spec.title = "nothing";
  spec.series.push_back(Series{});
  const auto png = directory / "empty.png";
  render_png(spec, png);
  EXPECT_TRUE(is_png_file(png));
  std::filesystem::remove_all(directory);
}

TEST(IsPngFile, RejectsOtherFiles) {
  const auto directory = scratch_dir("notpng");
  const auto path = directory / "fake.png";
  std::ofstream(path) << "not a png";
  EXPECT_FALSE(is_png_file(path));
  EXPECT_FALSE(is_png_file(directory / "missing.png"));
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace trackpurity::validation
