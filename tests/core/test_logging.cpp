#include <gtest/gtest.h>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/version.hpp"

namespace trackpurity {
namespace {

TEST(Logging, SameNameGivesSameLogger) {
  EXPECT_EQ(logging::get("test.same"), logging::get("test.same"));
}

TEST(Logging, SetLevelAppliesToExistingAndNewLoggers) {
  auto before = logging::get("test.before");
  logging::set_level("debug");
  EXPECT_EQ(before->level(), spdlog::level::debug);
  EXPECT_EQ(logging::get("test.after")->level(), spdlog::level::debug);
  logging::set_level("info");
  EXPECT_EQ(before->level(), spdlog::level::info);
}

TEST(Logging, UnknownLevelIsRejected) {
  EXPECT_THROW(logging::set_level("loud"), ConfigError);
}

TEST(Version, IsNotEmpty) { EXPECT_FALSE(program_version().empty()); }

}  // namespace
}  // namespace trackpurity
