#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/temporary_folder.hpp"
#include "trackpurity/io/event_reader.hpp"

// Runs the built `trackpurity simulate` on small pileup samples.

namespace trackpurity::sim {
namespace {

std::filesystem::path work_path(const std::string& name) {
  return std::filesystem::path(TRACKPURITY_BINARY_DIR) / "tests" / "sim" / name;
}

// Exit status of `trackpurity <arguments>`, -1 when it did not exit normally.
int run_program(const std::string& arguments) {
  const std::string command =
      std::string(TRACKPURITY_PROGRAM) + " " + arguments + " -q > /dev/null 2>&1";
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

using test_support::read_bytes;

TEST(SimulateCommand, WritesFileMetricsAndHistograms) {
  const auto output = work_path("command_a.h5");
  const auto metrics_path = work_path("command_metrics.json");
  const auto histograms = work_path("command_histograms");
  ASSERT_EQ(run_program("simulate -n 3 --pileup 5 --process displaced --seed 4 --threads 2 -o " +
                        output.string() + " --metrics-json " + metrics_path.string() +
                        " --histograms " + histograms.string()),
            0);

  std::ifstream metrics_stream(metrics_path);
  const nlohmann::json metrics = nlohmann::json::parse(metrics_stream);
  EXPECT_EQ(metrics.at("events"), 3);
  for (const char* key : {"particles_per_event", "charged_pt_gt_0p9_eta_lt_4_per_event",
                          "hits_per_event", "seconds_per_event"}) {
    EXPECT_GT(metrics.at(key).get<double>(), 0.0) << key;
  }
  EXPECT_EQ(metrics.at("hits_per_event_by_subdetector").size(), 6U);
  EXPECT_TRUE(std::filesystem::exists(histograms / "pt_spectrum.dat"));

  // The file records the generator configuration and the geometry document.
  const io::EventReader reader(output.string());
  EXPECT_EQ(reader.event_count(), 3U);
  EXPECT_EQ(reader.attributes().seed, 4U);
  const nlohmann::json configuration = nlohmann::json::parse(reader.attributes().configuration);
  EXPECT_EQ(configuration.at("simulation").at("process"), "displaced");
  EXPECT_EQ(configuration.at("simulation").at("pileup_mean"), 5.0);
  EXPECT_TRUE(configuration.at("geometry").contains("barrel_layers"));
  EXPECT_TRUE(configuration.at("geometry").contains("inactive_module_seed"));

  // The same command with another thread count writes the same bytes.
  const auto twin = work_path("command_b.h5");
  ASSERT_EQ(run_program("simulate -n 3 --pileup 5 --process displaced --seed 4 --threads 1 -o " +
                        twin.string()),
            0);
  EXPECT_TRUE(read_bytes(output) == read_bytes(twin)) << "files differ";

  std::filesystem::remove(output);
  std::filesystem::remove(twin);
  std::filesystem::remove(metrics_path);
  std::filesystem::remove_all(histograms);
}

TEST(SimulateCommand, RejectsInvalidOptions) {
  const std::string output = work_path("command_rejected.h5").string();
  // Invalid configuration exits with status 2, an unreadable file with 3.
  EXPECT_EQ(run_program("simulate -n 1 --process higgs -o " + output), 2);
  EXPECT_EQ(run_program("simulate -n 1 --threads -1 -o " + output), 2);
  EXPECT_EQ(run_program("simulate -n 1 --pileup -5 -o " + output), 2);
  EXPECT_EQ(run_program("simulate -n 1 --geometry /nonexistent/geometry.json -o " + output), 3);
  EXPECT_FALSE(std::filesystem::exists(output));
}

}  // namespace
}  // namespace trackpurity::sim
