
#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "event_samples.hpp"
#include "support/run_program.hpp"
#include "trackpurity/io/event_writer.hpp"

// Runs the built `trackpurity inspect` on files that the test writes.

namespace trackpurity::io {
namespace {

using test_support::CommandResult;

// Runs the program with standard output only, so that --json output parses.
CommandResult run_program(const std::string& arguments) {
  return test_support::run_program(arguments, test_support::Streams::kOutputOnly);
}

class InspectCommandTest : public testing::TemporaryFolderTest {
 protected:
  void SetUp() override {
    TemporaryFolderTest::SetUp();
    path_ = file("events.h5");
    EventWriterConfig config;
    config.configuration = R"({"geometry": "phase2", "pileup": 200})";
    config.seed = 77;
    config.extra_track_columns = {{"score", ExtraColumnType::kFloat32}};
    EventWriter writer(path_, config);
    for (const edm::Event& event : events_) {
      writer.write(event, {{"score", std::vector<float>(event.tracks.size(), 0.5F)}});
    }
    writer.close();
  }

  std::vector<edm::Event> events_ = testing::make_events();
  std::string path_;
};

TEST_F(InspectCommandTest, TextListsTablesAndAttributes) {
  const CommandResult result = run_program("inspect " + path_);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("events: 6"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("format_version"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("trackpurity-events"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("cov_qoverp_lambda"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("score"), std::string::npos) << result.output;
}

TEST_F(InspectCommandTest, JsonDescribesColumns) {
  const CommandResult result = run_program("inspect --json " + path_);
  ASSERT_EQ(result.status, 0) << result.output;
  const nlohmann::json document = nlohmann::json::parse(result.output);
  EXPECT_EQ(document.at("event_count"), 6);
  EXPECT_EQ(document.at("attributes").at("seed"), 77);
  EXPECT_EQ(document.at("attributes").at("format_version"), 1);
  EXPECT_EQ(document.at("attributes").at("configuration").at("pileup"), 200);

  std::size_t track_rows = 0;
  for (const edm::Event& event : events_) {
    track_rows += event.tracks.size();
  }
  bool found_tracks = false;
  for (const auto& table : document.at("tables")) {
    if (table.at("name") != "tracks") {
      continue;
    }
    found_tracks = true;
    EXPECT_EQ(table.at("rows"), track_rows);
    bool found_chi2 = false;
    for (const auto& column : table.at("columns")) {
      if (column.at("name") == "chi2") {
        found_chi2 = true;
        EXPECT_EQ(column.at("type"), "float64");
        EXPECT_EQ(column.at("rows"), track_rows);
        EXPECT_EQ(column.at("uncompressed_bytes"), track_rows * 8);
        EXPECT_GT(column.at("stored_bytes"), 0);
      }
      if (column.at("name") == "score") {
        EXPECT_EQ(column.at("type"), "float32");
      }
      if (column.at("name") == "event_offset") {
        EXPECT_EQ(column.at("rows"), 7);
      }
    }
    EXPECT_TRUE(found_chi2);
  }
  EXPECT_TRUE(found_tracks);
}

TEST_F(InspectCommandTest, EventRowCounts) {
  const CommandResult result = run_program("inspect --json --event 3 " + path_);
  ASSERT_EQ(result.status, 0) << result.output;
  const nlohmann::json document = nlohmann::json::parse(result.output);
  EXPECT_EQ(document.at("event"), 3);
  EXPECT_EQ(document.at("number"), events_[3].number);
  EXPECT_EQ(document.at("rows").at("particles"), events_[3].particles.size());
  EXPECT_EQ(document.at("rows").at("hits"), events_[3].hits.size());
  EXPECT_EQ(document.at("rows").at("tracks"), events_[3].tracks.size());
  EXPECT_EQ(document.at("rows").at("vertices"), events_[3].vertices.size());

  const CommandResult text = run_program("inspect --event 3 " + path_);
  ASSERT_EQ(text.status, 0) << text.output;
  EXPECT_NE(text.output.find("hits"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("200 rows"), std::string::npos) << text.output;
}

TEST_F(InspectCommandTest, EventIndexOutOfRangeFails) {
  const CommandResult result = run_program("inspect --event 6 " + path_);
  EXPECT_NE(result.status, 0);
}

TEST_F(InspectCommandTest, CorruptModelFileIsRejected) {
  const std::string model = file("model.safetensors");
  std::ofstream(model, std::ios::binary) << std::string(8, '\0') << "{}";
  const CommandResult result = run_program("inspect " + model);
  // Status 3 is a FileError: the model reader rejected the file (its
  // messages are tested with the nn module).
  EXPECT_EQ(result.status, 3);
}

TEST_F(InspectCommandTest, MissingAndForeignFilesFail) {
  EXPECT_EQ(run_program("inspect " + file("missing.h5")).status, 3);
  const std::string text_file = file("notes.txt");
  std::ofstream(text_file) << "plain text\n";
  EXPECT_EQ(run_program("inspect " + text_file).status, 3);
}

}  // namespace
}  // namespace trackpurity::io
