#include "trackpurity/core/error.hpp"

namespace trackpurity {

namespace {

std::string compose_file_message(const std::string& path, const std::string& field,
                                 const std::string& problem) {
  std::string message = path;
  if (!field.empty()) {
    message += ": " + field;
  }
  message += ": " + problem;
  return message;
}

}  // namespace

FileError::FileError(std::string path, std::string field, const std::string& problem)
    : std::runtime_error(compose_file_message(path, field, problem)),
      path_(std::move(path)),
      field_(std::move(field)) {}

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kInvalidInput:
      return "invalid input";
    case ErrorCode::kNonFinite:
      return "non-finite value";
    case ErrorCode::kFitFailed:
      return "fit failed";
    case ErrorCode::kOutOfAcceptance:
      return "out of acceptance";
    case ErrorCode::kNotFound:
      return "not found";
  }
  return "unknown error";
}

}  // namespace trackpurity
