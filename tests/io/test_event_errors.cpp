#include <filesystem>
#include <fstream>
#include <string>

#include <H5Cpp.h>
#include <gtest/gtest.h>

#include "event_samples.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/io/event_writer.hpp"

namespace trackpurity::io {
namespace {

// Each test writes a valid file, damages one thing with the HDF5 API, and
// checks that the reader names the path, the field and the expectation.
class EventFileErrorTest : public testing::TemporaryFolderTest {
 protected:
  void SetUp() override {
    TemporaryFolderTest::SetUp();
    H5::Exception::dontPrint();
    path_ = file("events.h5");
    EventWriter writer(path_, EventWriterConfig{});
    for (const edm::Event& event : testing::make_events()) {
      writer.write(event);
    }
    writer.close();
  }

  // Runs `open_and_read` and returns the FileError it throws.
  template <typename F>
  FileError expect_file_error(F open_and_read) {
    try {
      open_and_read();
    } catch (const FileError& error) {
      return error;
    }
    ADD_FAILURE() << "expected a FileError";
    return FileError("", "", "none");
  }

  FileError open_error() {
    return expect_file_error([&] { const EventReader reader(path_); });
  }

  static bool contains(const FileError& error, const std::string& text) {
    return std::string(error.what()).find(text) != std::string::npos;
  }

  template <typename T>
  void overwrite_element(const std::string& dataset_name, hsize_t index, T value,
                         const H5::PredType& type) {
    H5::H5File h5(path_, H5F_ACC_RDWR);
    H5::DataSet dataset = h5.openDataSet(dataset_name);
    H5::DataSpace file_space = dataset.getSpace();
    const hsize_t count = 1;
    file_space.selectHyperslab(H5S_SELECT_SET, &count, &index);
    const H5::DataSpace memory_space(1, &count);
    dataset.write(&value, type, memory_space, file_space);
  }

  void unlink(const std::string& name) {
    H5::H5File h5(path_, H5F_ACC_RDWR);
    h5.unlink(name);
  }

  std::string path_;
};

TEST_F(EventFileErrorTest, MissingFile) {
  const std::string missing = file("missing.h5");
  const FileError error = expect_file_error([&] { const EventReader reader(missing); });
  EXPECT_EQ(error.path(), missing);
  EXPECT_TRUE(contains(error, "file not found")) << error.what();
}

TEST_F(EventFileErrorTest, NonHdf5File) {
  const std::string text_file = file("notes.h5");
  std::ofstream(text_file) << "this is not an HDF5 file\n";
  const FileError error = expect_file_error([&] { const EventReader reader(text_file); });
  EXPECT_EQ(error.path(), text_file);
  EXPECT_TRUE(contains(error, "not an HDF5 file")) << error.what();
}

TEST_F(EventFileErrorTest, TruncatedToHalf) {
  const auto size = std::filesystem::file_size(path_);
  std::filesystem::resize_file(path_, size / 2);
  const FileError error = open_error();
  EXPECT_EQ(error.path(), path_);
  EXPECT_TRUE(contains(error, "truncated")) << error.what();
}

TEST_F(EventFileErrorTest, WrongFormatVersion) {
  {
    H5::H5File h5(path_, H5F_ACC_RDWR);
    h5.removeAttr("format_version");
    const std::int64_t version = kFormatVersion + 1;
    h5.createAttribute("format_version", H5::PredType::STD_I64LE, H5::DataSpace(H5S_SCALAR))
        .write(H5::PredType::NATIVE_INT64, &version);
  }
  const FileError error = open_error();
  EXPECT_EQ(error.path(), path_);
  EXPECT_EQ(error.field(), "format_version");
  EXPECT_TRUE(contains(error, "is 2, expected 1")) << error.what();
}

TEST_F(EventFileErrorTest, WrongFormatName) {
  {
    H5::H5File h5(path_, H5F_ACC_RDWR);
    h5.removeAttr("format");
    H5::StrType type(H5::PredType::C_S1, H5T_VARIABLE);
    h5.createAttribute("format", type, H5::DataSpace(H5S_SCALAR)).write(type, std::string("other"));
  }
  const FileError error = open_error();
  EXPECT_EQ(error.field(), "format");
  EXPECT_TRUE(contains(error, "expected \"trackpurity-events\"")) << error.what();
}

TEST_F(EventFileErrorTest, MissingFormatAttribute) {
  {
    H5::H5File h5(path_, H5F_ACC_RDWR);
    h5.removeAttr("format");
  }
  const FileError error = open_error();
  EXPECT_EQ(error.field(), "format");
  EXPECT_TRUE(contains(error, "missing attribute")) << error.what();
}

TEST_F(EventFileErrorTest, MissingEventCountAttribute) {
  {
    H5::H5File h5(path_, H5F_ACC_RDWR);
    h5.removeAttr("event_count");
  }
  const FileError error = open_error();
  EXPECT_EQ(error.field(), "event_count");
}

TEST_F(EventFileErrorTest, MissingColumn) {
  unlink("tracks/chi2");
  const FileError error = open_error();
  EXPECT_EQ(error.path(), path_);
  EXPECT_EQ(error.field(), "tracks/chi2");
  EXPECT_TRUE(contains(error, "missing column")) << error.what();
  EXPECT_TRUE(contains(error, "float64")) << error.what();
}

TEST_F(EventFileErrorTest, MissingEventsGroup) {
  unlink("events");
  const FileError error = open_error();
  EXPECT_EQ(error.field(), "events");
}

TEST_F(EventFileErrorTest, ColumnOfWrongType) {
  {
    H5::H5File h5(path_, H5F_ACC_RDWR);
    const hsize_t rows = H5::DataSet(h5.openDataSet("tracks/ndof")).getSpace().getSimpleExtentNpoints();
    h5.unlink("tracks/ndof");
    h5.createDataSet("tracks/ndof", H5::PredType::IEEE_F64LE, H5::DataSpace(1, &rows));
  }
  const FileError error = open_error();
  EXPECT_EQ(error.field(), "tracks/ndof");
  EXPECT_TRUE(contains(error, "has type float64, expected int32")) << error.what();
}

TEST_F(EventFileErrorTest, PartialTruthColumns) {
  unlink("tracks/truth_genuine");
  const FileError error = open_error();
  EXPECT_EQ(error.field(), "tracks/truth_genuine");
}

TEST_F(EventFileErrorTest, ExtraColumnOfWrongType) {
  {
    H5::H5File h5(path_, H5F_ACC_RDWR);
    const hsize_t rows = H5::DataSet(h5.openDataSet("tracks/chi2")).getSpace().getSimpleExtentNpoints();
    h5.createDataSet("tracks/label", H5::PredType::STD_I64LE, H5::DataSpace(1, &rows));
  }
  const FileError error = open_error();
  EXPECT_EQ(error.field(), "tracks/label");
  EXPECT_TRUE(contains(error, "float32 or uint8")) << error.what();
}

TEST_F(EventFileErrorTest, OffsetPastColumnLength) {
  const std::uint64_t events = testing::make_events().size();
  overwrite_element<std::uint64_t>("hits/event_offset", events, 1000000,
                                   H5::PredType::NATIVE_UINT64);
  const FileError error = open_error();
  EXPECT_EQ(error.path(), path_);
  EXPECT_EQ(error.field(), "hits/event_offset");
  EXPECT_TRUE(contains(error, "past the end")) << error.what();
}

TEST_F(EventFileErrorTest, DecreasingOffsets) {
  // Particle offsets start 0, 0, 10, 13: make the fourth smaller than the third.
  overwrite_element<std::uint64_t>("particles/event_offset", 3, 5, H5::PredType::NATIVE_UINT64);
  const FileError error = open_error();
  EXPECT_EQ(error.field(), "particles/event_offset");
  EXPECT_TRUE(contains(error, "non-decreasing")) << error.what();
}

TEST_F(EventFileErrorTest, HitCountsDisagreeWithHitList) {
  // Event 3 is the first with many tracks; its first track row is the sum of earlier track counts.
  const auto events = testing::make_events();
  const hsize_t first_track = events[0].tracks.size() + events[1].tracks.size() + events[2].tracks.size();
  const auto wrong_count = static_cast<std::uint32_t>(events[3].tracks[0].hits.size() + 1);
  overwrite_element<std::uint32_t>("tracks/hit_count", first_track, wrong_count,
                                   H5::PredType::NATIVE_UINT32);
  const EventReader reader(path_);
  const FileError error = expect_file_error([&] { (void)reader.read(3); });
  EXPECT_EQ(error.field(), "tracks/hit_count");
  EXPECT_TRUE(contains(error, "event 3")) << error.what();
  // Other events and reads without hit lists are unaffected.
  EXPECT_EQ(reader.read(1), events[1]);
  EXPECT_NO_THROW((void)reader.read(3, TableMask::tracks_without_hits()));
}

TEST_F(EventFileErrorTest, UndefinedEnumValue) {
  overwrite_element<std::uint8_t>("hits/subdetector", 0, 9, H5::PredType::NATIVE_UINT8);
  const EventReader reader(path_);
  const auto events = testing::make_events();
  // Row 0 of hits belongs to event 1 (event 0 is empty).
  const FileError error = expect_file_error([&] { (void)reader.read(1); });
  EXPECT_EQ(error.field(), "hits/subdetector");
  EXPECT_TRUE(contains(error, "value 9")) << error.what();
}

}  // namespace
}  // namespace trackpurity::io
