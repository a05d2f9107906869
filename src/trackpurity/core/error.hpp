#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

// Two kinds of failure, kept apart as in ACTS:
// - invalid configuration and unreadable or malformed files throw an exception
//   whose message names the file, the field and the expected value;
// - per-event problems (a failed fit, a non-finite feature) are returned as a
//   Result<T> so that the caller can count them and carry on.

namespace trackpurity {

// Invalid configuration: a value out of range, inconsistent options.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file that is missing, unreadable or does not follow its format.
class FileError : public std::runtime_error {
 public:
  FileError(std::string path, std::string field, const std::string& problem);

  const std::string& path() const noexcept { return path_; }
  const std::string& field() const noexcept { return field_; }

 private:
  std::string path_;
  std::string field_;
};

// Per-event failure categories; each algorithm reports one of these with a message.
enum class ErrorCode {
  kInvalidInput,    // input values outside their domain (NaN, empty where not allowed)
  kNonFinite,       // a computed quantity is NaN or infinite
  kFitFailed,       // a track fit did not converge or lost positive definiteness
  kOutOfAcceptance, // nothing to do for this object in the detector acceptance
  kNotFound,        // a requested object does not exist
};

std::string_view to_string(ErrorCode code) noexcept;

struct Error {
  ErrorCode code = ErrorCode::kInvalidInput;
  std::string message;
};

// A value or an Error. Deliberately small: value(), error(), ok().
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : storage_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  static Result failure(ErrorCode code, std::string message) {
    return Result(Error{code, std::move(message)});
  }

  bool ok() const noexcept { return std::holds_alternative<T>(storage_); }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & { return checked_value(); }
  const T& value() const& { return const_cast<Result*>(this)->checked_value(); }
  T&& value() && { return std::move(checked_value()); }
  const Error& error() const { return std::get<Error>(storage_); }

 private:
  T& checked_value() {
    if (!ok()) {
      throw std::logic_error("Result::value() called on an error: " + error().message);
    }
    return std::get<T>(storage_);
  }

  std::variant<T, Error> storage_;
};

// Result for operations that produce no value.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() { return Status(Unit{}); }

}  // namespace trackpurity
