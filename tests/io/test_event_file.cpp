#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

#include "event_samples.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/core/version.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/io/event_writer.hpp"

namespace trackpurity::io {
namespace {

using testing::EventSize;
using testing::make_event;
using testing::make_events;

class EventFileTest : public testing::TemporaryFolderTest {
 protected:
  // Small buffers and chunks so that a few events cross many flushes and chunk boundaries.
  static EventWriterConfig small_buffers_config() {
    EventWriterConfig config;
    config.configuration = R"({"generator": {"pileup": 200}, "geometry": "phase2"})";
    config.seed = 12345;
    config.flush_rows = 7;
    config.chunk_rows = 5;
    return config;
  }

  void write_file(const std::string& path, const std::vector<edm::Event>& events,
                  const EventWriterConfig& config) {
    EventWriter writer(path, config);
    for (const edm::Event& event : events) {
      writer.write(event);
    }
    writer.close();
  }
};

TEST_F(EventFileTest, RoundTripIsBitExact) {
  const std::vector<edm::Event> events = make_events();
  const std::string path = file("events.h5");
  write_file(path, events, small_buffers_config());

  const EventReader reader(path);
  ASSERT_EQ(reader.event_count(), events.size());
  for (std::size_t i = 0; i < events.size(); ++i) {
    const edm::Event event = reader.read(i);
    // operator== compares every member of every edm type exactly.
    EXPECT_EQ(event, events[i]) << "event " << i;
    EXPECT_EQ(event.particles.size(), events[i].particles.size());
    EXPECT_EQ(event.hits.size(), events[i].hits.size());
    EXPECT_EQ(event.tracks.size(), events[i].tracks.size());
    EXPECT_EQ(event.vertices.size(), events[i].vertices.size());
  }
}

TEST_F(EventFileTest, RoundTripKeepsTrackDetails) {
  const std::vector<edm::Event> events = make_events();
  const std::string path = file("events.h5");
  write_file(path, events, small_buffers_config());

  const edm::Event event = EventReader(path).read(3);
  const edm::Event& original = events[3];
  ASSERT_EQ(event.tracks.size(), 30U);
  for (std::size_t t = 0; t < event.tracks.size(); ++t) {
    const edm::Track& track = event.tracks[t];
    const edm::Track& expected = original.tracks[t];
    EXPECT_EQ(track.covariance, expected.covariance) << "track " << t;
    EXPECT_EQ(track.covariance(edm::eDxy, edm::eQOverP), expected.covariance(edm::eQOverP, edm::eDxy));
    EXPECT_EQ(track.hits, expected.hits) << "track " << t;
    EXPECT_EQ(track.hit_pattern, expected.hit_pattern) << "track " << t;
    EXPECT_EQ(track.inner_momentum, expected.inner_momentum) << "track " << t;
    EXPECT_EQ(track.outer_momentum, expected.outer_momentum) << "track " << t;
    EXPECT_EQ(event.track_truth[t], original.track_truth[t]) << "track " << t;
  }
}

TEST_F(EventFileTest, SpecialFloatingValuesKeepTheirBits) {
  edm::Event event = make_event(0, {1, 1, 1, 1}, 3);
  event.tracks[0].chi2 = std::numeric_limits<double>::infinity();
  event.tracks[0].parameters[edm::eDxy] = -0.0;
  event.hits[0].sigma_u = std::numeric_limits<double>::denorm_min();
  event.hits[0].position.x = std::numeric_limits<double>::quiet_NaN();
  event.track_truth[0].shared_fraction = std::numeric_limits<float>::denorm_min();
  const std::string path = file("special.h5");
  write_file(path, {event}, EventWriterConfig{});

  const edm::Event read = EventReader(path).read(0);
  EXPECT_TRUE(std::isinf(read.tracks[0].chi2));
  EXPECT_TRUE(std::signbit(read.tracks[0].parameters[edm::eDxy]));
  EXPECT_EQ(read.hits[0].sigma_u, std::numeric_limits<double>::denorm_min());
  EXPECT_TRUE(std::isnan(read.hits[0].position.x));
  EXPECT_EQ(read.track_truth[0].shared_fraction, std::numeric_limits<float>::denorm_min());
}

TEST_F(EventFileTest, AttributesRoundTrip) {
  const std::string path = file("events.h5");
  const EventWriterConfig config = small_buffers_config();
  write_file(path, make_events(), config);

  const EventReader reader(path);
  const FileAttributes& attributes = reader.attributes();
  EXPECT_EQ(attributes.format_version, kFormatVersion);
  EXPECT_EQ(attributes.program_version, program_version());
  EXPECT_EQ(attributes.configuration, config.configuration);
  EXPECT_EQ(attributes.seed, config.seed);
  EXPECT_EQ(attributes.event_count, make_events().size());
}

TEST_F(EventFileTest, EmptyEventRoundTrips) {
  const edm::Event empty = make_event(7, {0, 0, 0, 0}, 1);
  const std::string path = file("empty.h5");
  write_file(path, {empty}, EventWriterConfig{});

  const EventReader reader(path);
  ASSERT_EQ(reader.event_count(), 1U);
  const edm::Event event = reader.read(0);
  EXPECT_EQ(event, empty);
  EXPECT_TRUE(event.particles.empty());
  EXPECT_TRUE(event.hits.empty());
  EXPECT_TRUE(event.tracks.empty());
  EXPECT_EQ(event.number, empty.number);
}

TEST_F(EventFileTest, FileWithoutEventsIsValid) {
  const std::string path = file("none.h5");
  write_file(path, {}, EventWriterConfig{});

  const EventReader reader(path);
  EXPECT_EQ(reader.event_count(), 0U);
  EXPECT_THROW((void)reader.read(0), std::out_of_range);
}

TEST_F(EventFileTest, HitsWithoutTracksRoundTrip) {
  const edm::Event event = make_event(2, {5, 30, 0, 0}, 4);
  const std::string path = file("no_tracks.h5");
  write_file(path, {event}, EventWriterConfig{});

  const edm::Event read = EventReader(path).read(0);
  EXPECT_EQ(read, event);
  EXPECT_EQ(read.hits.size(), 30U);
  EXPECT_TRUE(read.tracks.empty());
  EXPECT_TRUE(read.track_truth.empty());
}

TEST_F(EventFileTest, SimulationFileHasNoTrackTables) {
  std::vector<edm::Event> events = make_events();
  EventWriterConfig config;
  config.tables = TableMask::simulation();
  const std::string path = file("simulated.h5");
  write_file(path, events, config);

  const EventReader reader(path);
  EXPECT_EQ(reader.available_tables(), TableMask::simulation());
  const edm::Event event = reader.read(3);
  EXPECT_EQ(event.particles, events[3].particles);
  EXPECT_EQ(event.hits, events[3].hits);
  EXPECT_TRUE(event.tracks.empty());
  EXPECT_TRUE(event.vertices.empty());
  const auto counts = reader.row_counts(3);
  ASSERT_EQ(counts.size(), 2U);
  EXPECT_EQ(counts[0].first, "particles");
  EXPECT_EQ(counts[1].first, "hits");
}

TEST_F(EventFileTest, TracksWithoutTruthAreValid) {
  std::vector<edm::Event> events = make_events();
  EventWriterConfig config;
  config.tables.track_truth = false;
  const std::string path = file("no_truth.h5");
  write_file(path, events, config);

  const EventReader reader(path);
  EXPECT_TRUE(reader.available_tables().tracks);
  EXPECT_FALSE(reader.available_tables().track_truth);
  const edm::Event event = reader.read(3);
  EXPECT_EQ(event.tracks, events[3].tracks);
  EXPECT_TRUE(event.track_truth.empty());
}

TEST_F(EventFileTest, TableMaskSkipsTables) {
  const std::vector<edm::Event> events = make_events();
  const std::string path = file("events.h5");
  write_file(path, events, small_buffers_config());

  const edm::Event event = EventReader(path).read(3, TableMask::tracks_without_hits());
  EXPECT_TRUE(event.particles.empty());
  EXPECT_TRUE(event.hits.empty());
  ASSERT_EQ(event.tracks.size(), events[3].tracks.size());
  for (std::size_t t = 0; t < event.tracks.size(); ++t) {
    EXPECT_TRUE(event.tracks[t].hits.empty()) << "track " << t;
    EXPECT_EQ(event.tracks[t].hit_pattern, events[3].tracks[t].hit_pattern) << "track " << t;
    EXPECT_EQ(event.tracks[t].parameters, events[3].tracks[t].parameters) << "track " << t;
  }
  EXPECT_EQ(event.track_truth, events[3].track_truth);
  EXPECT_EQ(event.vertices, events[3].vertices);
  EXPECT_EQ(event.beam_spot, events[3].beam_spot);
}

TEST_F(EventFileTest, EventFieldsOnlyMask) {
  const std::vector<edm::Event> events = make_events();
  const std::string path = file("events.h5");
  write_file(path, events, EventWriterConfig{});

  TableMask none;
  none.particles = none.hits = none.tracks = none.track_truth = none.track_hits =
      none.track_hit_pattern = none.vertices = false;
  const edm::Event event = EventReader(path).read(1, none);
  EXPECT_EQ(event.number, events[1].number);
  EXPECT_EQ(event.collisions, events[1].collisions);
  EXPECT_EQ(event.beam_spot, events[1].beam_spot);
  EXPECT_TRUE(event.tracks.empty());
  EXPECT_TRUE(event.hits.empty());
}

TEST_F(EventFileTest, ExtraColumnsRoundTrip) {
  const std::vector<edm::Event> events = make_events();
  EventWriterConfig config = small_buffers_config();
  config.extra_track_columns = {{"score", ExtraColumnType::kFloat32},
                                {"keep", ExtraColumnType::kUInt8}};
  const std::string path = file("scored.h5");
  std::vector<ExtraTrackColumns> written;
  {
    EventWriter writer(path, config);
    for (const edm::Event& event : events) {
      std::vector<float> scores(event.tracks.size());
      std::vector<std::uint8_t> keep(event.tracks.size());
      for (std::size_t t = 0; t < scores.size(); ++t) {
        scores[t] = static_cast<float>(t) / 7.0F + static_cast<float>(event.number % 3);
        keep[t] = static_cast<std::uint8_t>(t % 2);
      }
      ExtraTrackColumns extras{{"score", scores}, {"keep", keep}};
      writer.write(event, extras);
      written.push_back(std::move(extras));
    }
    writer.close();
  }

  const EventReader reader(path);
  ASSERT_EQ(reader.extra_track_columns().size(), 2U);
  EXPECT_EQ(reader.extra_track_columns()[0], (ExtraColumnSpec{"score", ExtraColumnType::kFloat32}));
  EXPECT_EQ(reader.extra_track_columns()[1], (ExtraColumnSpec{"keep", ExtraColumnType::kUInt8}));
  for (std::size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(reader.read_extra_column(i, "score"), written[i].at("score")) << "event " << i;
    EXPECT_EQ(reader.read_extra_column(i, "keep"), written[i].at("keep")) << "event " << i;
    EXPECT_EQ(reader.read_extra_columns(i), written[i]) << "event " << i;
    EXPECT_EQ(reader.read(i), events[i]) << "event " << i;
  }
  EXPECT_THROW((void)reader.read_extra_column(0, "missing"), std::invalid_argument);
}

TEST_F(EventFileTest, ExtraColumnsCopyThroughReaderAndWriter) {
  // The selector reads scores and writes them back with keep flags.
  const std::vector<edm::Event> events = make_events();
  EventWriterConfig scored_config;
  scored_config.extra_track_columns = {{"score", ExtraColumnType::kFloat32}};
  const std::string scored_path = file("scored.h5");
  {
    EventWriter writer(scored_path, scored_config);
    for (const edm::Event& event : events) {
      writer.write(event, {{"score", std::vector<float>(event.tracks.size(), 0.25F)}});
    }
    writer.close();
  }

  const EventReader scored(scored_path);
  EventWriterConfig selected_config;
  selected_config.extra_track_columns = scored.extra_track_columns();
  selected_config.extra_track_columns.push_back({"keep", ExtraColumnType::kUInt8});
  const std::string selected_path = file("selected.h5");
  {
    EventWriter writer(selected_path, selected_config);
    for (std::uint64_t i = 0; i < scored.event_count(); ++i) {
      const edm::Event event = scored.read(i);
      ExtraTrackColumns extras = scored.read_extra_columns(i);
      extras["keep"] = std::vector<std::uint8_t>(event.tracks.size(), 1);
      writer.write(event, extras);
    }
    writer.close();
  }

  const EventReader selected(selected_path);
  ASSERT_EQ(selected.extra_track_columns().size(), 2U);
  const auto scores = std::get<std::vector<float>>(selected.read_extra_column(3, "score"));
  ASSERT_EQ(scores.size(), events[3].tracks.size());
  EXPECT_EQ(scores.front(), 0.25F);
}

TEST_F(EventFileTest, RandomAccessInManyEvents) {
  std::vector<edm::Event> events;
  for (std::uint64_t i = 0; i < 300; ++i) {
    const EventSize size{i % 7, (i * 13) % 50, (i * 5) % 11, i % 3};
    events.push_back(make_event(i, size, 9));
  }
  const std::string path = file("many.h5");
  EventWriterConfig config;
  config.flush_rows = 100;
  config.chunk_rows = 64;
  write_file(path, events, config);

  const EventReader reader(path);
  ASSERT_EQ(reader.event_count(), events.size());
  std::vector<std::size_t> order(events.size());
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937(17));
  for (const std::size_t i : order) {
    ASSERT_EQ(reader.read(i), events[i]) << "event " << i;
  }
  EXPECT_THROW((void)reader.read(events.size()), std::out_of_range);
}

TEST_F(EventFileTest, RowCountsOfOneEvent) {
  const std::vector<edm::Event> events = make_events();
  const std::string path = file("events.h5");
  write_file(path, events, EventWriterConfig{});

  const auto counts = EventReader(path).row_counts(3);
  const std::vector<std::pair<std::string, std::uint64_t>> expected = {
      {"particles", 50}, {"hits", 200}, {"tracks", 30}, {"track_hits", 0},
      {"track_hit_pattern", 0}, {"vertices", 4}};
  ASSERT_EQ(counts.size(), expected.size());
  std::uint64_t hit_rows = 0;
  std::uint64_t pattern_rows = 0;
  for (const edm::Track& track : events[3].tracks) {
    hit_rows += track.hits.size();
    pattern_rows += track.hit_pattern.size();
  }
  EXPECT_EQ(counts[0], expected[0]);
  EXPECT_EQ(counts[1], expected[1]);
  EXPECT_EQ(counts[2], expected[2]);
  EXPECT_EQ(counts[3], (std::pair<std::string, std::uint64_t>{"track_hits", hit_rows}));
  EXPECT_EQ(counts[4], (std::pair<std::string, std::uint64_t>{"track_hit_pattern", pattern_rows}));
  EXPECT_EQ(counts[5], expected[5]);
}

TEST_F(EventFileTest, WriterRenamesOnlyOnClose) {
  const std::string path = file("events.h5");
  EventWriter writer(path, EventWriterConfig{});
  writer.write(make_events()[1]);
  EXPECT_TRUE(std::filesystem::exists(writer.partial_path()));
  EXPECT_FALSE(std::filesystem::exists(path));
  writer.close();
  EXPECT_TRUE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
  EXPECT_THROW(writer.close(), std::logic_error);
  EXPECT_THROW(writer.write(make_events()[1]), std::logic_error);
}

TEST_F(EventFileTest, PartialFileRemovedWithoutClose) {
  const std::string path = file("events.h5");
  {
    EventWriter writer(path, EventWriterConfig{});
    writer.write(make_events()[1]);
    writer.write(make_events()[3]);
    ASSERT_TRUE(std::filesystem::exists(path + ".partial"));
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(EventFileTest, PartialFileRemovedWhenExceptionUnwinds) {
  const std::string path = file("events.h5");
  try {
    EventWriter writer(path, EventWriterConfig{});
    writer.write(make_events()[1]);
    throw std::runtime_error("interrupted");
  } catch (const std::runtime_error&) {
  }
  EXPECT_FALSE(std::filesystem::exists(path + ".partial"));
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(EventFileTest, SameEventsGiveIdenticalBytes) {
  const std::vector<edm::Event> events = make_events();
  const std::string first = file("first.h5");
  const std::string second = file("second.h5");
  write_file(first, events, small_buffers_config());
  // HDF5 stores object timestamps by default, so writes a second apart would differ.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  write_file(second, events, small_buffers_config());

  const std::vector<char> first_bytes = testing::read_bytes(first);
  const std::vector<char> second_bytes = testing::read_bytes(second);
  ASSERT_FALSE(first_bytes.empty());
  EXPECT_EQ(first_bytes.size(), second_bytes.size());
  EXPECT_TRUE(first_bytes == second_bytes);
}

TEST_F(EventFileTest, DifferentSeedAttributeChangesBytes) {
  const std::vector<edm::Event> events = make_events();
  EventWriterConfig config = small_buffers_config();
  write_file(file("first.h5"), events, config);
  config.seed += 1;
  write_file(file("second.h5"), events, config);
  EXPECT_FALSE(testing::read_bytes(file("first.h5")) == testing::read_bytes(file("second.h5")));
}

TEST_F(EventFileTest, BuffersFlushAtThreshold) {
  EventWriterConfig config;
  config.flush_rows = 10;
  const std::string path = file("events.h5");
  EventWriter writer(path, config);
  const EventSize four_hits{0, 4, 0, 0};

  writer.write(make_event(0, four_hits, 1));
  EXPECT_EQ(writer.rows_buffered(kHitsGroup), 4U);
  EXPECT_EQ(writer.rows_written(kHitsGroup), 0U);
  writer.write(make_event(1, four_hits, 1));
  EXPECT_EQ(writer.rows_buffered(kHitsGroup), 8U);
  EXPECT_EQ(writer.rows_written(kHitsGroup), 0U);
  writer.write(make_event(2, four_hits, 1));  // 12 rows reach the threshold of 10
  EXPECT_EQ(writer.rows_buffered(kHitsGroup), 0U);
  EXPECT_EQ(writer.rows_written(kHitsGroup), 12U);
  writer.write(make_event(3, four_hits, 1));
  EXPECT_EQ(writer.rows_buffered(kHitsGroup), 4U);
  EXPECT_EQ(writer.rows_written(kHitsGroup), 12U);
  EXPECT_EQ(writer.rows_buffered(kEventsGroup), 4U);  // below 10 events
  writer.close();

  const EventReader reader(path);
  ASSERT_EQ(reader.event_count(), 4U);
  EXPECT_EQ(reader.read(3), make_event(3, four_hits, 1));
}

TEST_F(EventFileTest, WriterRejectsTruthOfWrongLength) {
  edm::Event event = make_event(0, {0, 0, 3, 0}, 1);
  event.track_truth.pop_back();
  EventWriter writer(file("events.h5"), EventWriterConfig{});
  EXPECT_THROW(writer.write(event), std::invalid_argument);
  // Nothing was buffered: a valid event still writes.
  writer.write(make_event(1, {0, 0, 3, 0}, 1));
  EXPECT_EQ(writer.rows_buffered(kTracksGroup), 3U);
}

TEST_F(EventFileTest, WriterRejectsBadExtraColumns) {
  EventWriterConfig config;
  config.extra_track_columns = {{"score", ExtraColumnType::kFloat32}};
  EventWriter writer(file("events.h5"), config);
  const edm::Event event = make_event(0, {0, 0, 3, 0}, 1);
  EXPECT_THROW(writer.write(event), std::invalid_argument);  // missing
  EXPECT_THROW(writer.write(event, {{"score", std::vector<float>(2)}}), std::invalid_argument);
  EXPECT_THROW(writer.write(event, {{"score", std::vector<std::uint8_t>(3)}}),
               std::invalid_argument);
  EXPECT_THROW(writer.write(event, {{"score", std::vector<float>(3)},
                                    {"undeclared", std::vector<float>(3)}}),
               std::invalid_argument);
  writer.write(event, {{"score", std::vector<float>(3, 0.5F)}});
  EXPECT_EQ(writer.event_count(), 1U);
}

TEST_F(EventFileTest, WriterConfigValidation) {
  const auto rejects = [&](const EventWriterConfig& config) {
    EXPECT_THROW(EventWriter(file("events.h5"), config), ConfigError);
  };
  EventWriterConfig config;
  config.configuration = "{not json";
  rejects(config);

  config = {};
  config.flush_rows = 0;
  rejects(config);

  config = {};
  config.chunk_rows = 0;
  rejects(config);

  config = {};
  config.deflate_level = 10;
  rejects(config);

  config = {};
  config.tables.tracks = false;
  rejects(config);  // truth, hit lists and patterns still on

  config = {};
  config.extra_track_columns = {{"chi2", ExtraColumnType::kFloat32}};
  rejects(config);

  config = {};
  config.extra_track_columns = {{"a/b", ExtraColumnType::kFloat32}};
  rejects(config);

  config = {};
  config.extra_track_columns = {{"score", ExtraColumnType::kFloat32},
                                {"score", ExtraColumnType::kUInt8}};
  rejects(config);

  EXPECT_FALSE(std::filesystem::exists(file("events.h5.partial")));
}

TEST_F(EventFileTest, WriterIntoMissingFolderFails) {
  const std::string path = file("no/such/folder/events.h5");
  try {
    EventWriter writer(path, EventWriterConfig{});
    FAIL() << "expected FileError";
  } catch (const FileError& error) {
    EXPECT_EQ(error.path(), path + ".partial");
    EXPECT_NE(std::string(error.what()).find("cannot create"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace trackpurity::io
