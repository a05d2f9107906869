#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

// Runs the built `trackpurity` program from a test, for the command tests of
// every module.

namespace trackpurity::test_support {

// Which of the program's streams a CommandResult captures.
enum class Streams {
  kOutputAndErrors,  // standard output and standard error, interleaved
  kOutputOnly,       // standard output only, for example to parse JSON
};

struct CommandResult {
  int status = -1;  // exit status, -1 when the program could not run or was killed
  std::string output;
};

// Runs `trackpurity ARGUMENTS` through the shell from the build folder's
// program and returns its exit status and captured output.
inline CommandResult run_program(const std::string& arguments,
                                 Streams streams = Streams::kOutputAndErrors) {
  const std::string redirect = streams == Streams::kOutputOnly ? " 2>/dev/null" : " 2>&1";
  const std::string command =
      std::string(TRACKPURITY_BINARY_DIR) + "/trackpurity " + arguments + redirect;
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    return result;
  }
  std::array<char, 4096> buffer{};
  std::size_t read = 0;
  while ((read = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.output.append(buffer.data(), read);
  }
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace trackpurity::test_support
