#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "trackpurity/core/error.hpp"

namespace trackpurity {
namespace {

TEST(Result, HoldsValue) {
  Result<int> result(42);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.value(), 42);
}

TEST(Result, HoldsErrorWithCodeAndMessage) {
  auto result = Result<int>::failure(ErrorCode::kFitFailed, "covariance not positive");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kFitFailed);
  EXPECT_EQ(result.error().message, "covariance not positive");
}

TEST(Result, ValueOfErrorThrowsWithMessage) {
  auto result = Result<int>::failure(ErrorCode::kNonFinite, "dxy is NaN");
  try {
    (void)result.value();
    FAIL() << "value() did not throw";
  } catch (const std::logic_error& error) {
    EXPECT_NE(std::string(error.what()).find("dxy is NaN"), std::string::npos);
  }
}

TEST(FileError, MessageNamesFileAndField) {
  const FileError error("events.h5", "tracks/chi2", "missing column");
  EXPECT_EQ(std::string(error.what()), "events.h5: tracks/chi2: missing column");
  EXPECT_EQ(error.path(), "events.h5");
  EXPECT_EQ(error.field(), "tracks/chi2");
}

TEST(ErrorCode, EveryCodeHasName) {
  EXPECT_EQ(to_string(ErrorCode::kFitFailed), "fit failed");
  EXPECT_EQ(to_string(ErrorCode::kNonFinite), "non-finite value");
}

}  // namespace
}  // namespace trackpurity
