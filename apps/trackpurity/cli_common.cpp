#include "cli_common.hpp"

#include <cstdlib>
#include <fstream>
#include <filesystem>
#include <memory>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"

namespace trackpurity::cli {

namespace {

// Logging options of every registered command, owned here so the commands'
// callbacks can refer to them for the program's lifetime.
std::vector<std::unique_ptr<LoggingOptions>>& logging_option_storage() {
  static std::vector<std::unique_ptr<LoggingOptions>> storage;
  return storage;
}

}  // namespace

void add_logging_options(CLI::App& command, LoggingOptions& options) {
  command.add_option("--log-level", options.level,
                     "Log level: trace, debug, info, warn, error, critical, off")
      ->capture_default_str();
  command.add_flag("-q,--quiet", options.quiet, "Print warnings and errors only");
  command.add_flag("-v,--verbose", options.verbose, "Print debug messages");
}

void apply_logging_options(const LoggingOptions& options) {
  std::string level = options.level;
  if (options.verbose) {
    level = "debug";
  }
  if (options.quiet) {
    level = "warn";
  }
  logging::set_level(level);
}

int& command_status() {
  static int status = 0;
  return status;
}

CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& description,
                      std::function<int()> action) {
  auto& options = logging_option_storage().emplace_back(std::make_unique<LoggingOptions>());
  CLI::App* command = app.add_subcommand(name, description);
  add_logging_options(*command, *options);
  LoggingOptions* logging = options.get();
  command->callback([logging, action = std::move(action)]() {
    apply_logging_options(*logging);
    command_status() = action();
  });
  return command;
}

void add_unimplemented_command(CLI::App& app, const std::string& name,
                               const std::string& description) {
  add_command(app, name, description + " (not implemented in this version)", [name]() {
    logging::get("cli")->error("'trackpurity {}' is not implemented in this version", name);
    return 2;
  });
}

namespace {

std::string& stored_command_line() {
  static std::string line;
  return line;
}

}  // namespace

void set_command_line(int argc, char** argv) {
  std::string line;
  for (int i = 0; i < argc; ++i) {
    line += (i > 0 ? " " : "") + std::string(argv[i]);
  }
  stored_command_line() = line;
}

const std::string& command_line() { return stored_command_line(); }

void write_json_file(const std::string& path, const nlohmann::json& document) {
  std::ofstream stream(path);
  if (!stream) {
    throw FileError(path, "", "cannot create file");
  }
  stream << document.dump(2) << '\n';
  stream.close();
  if (!stream) {
    throw FileError(path, "", "failed to write file");
  }
}

std::string data_dir() {
  if (const char* from_environment = std::getenv("TRACKPURITY_DATA_DIR")) {
    return from_environment;
  }
  return std::string(TRACKPURITY_SOURCE_DIR) + "/data";
}

}  // namespace trackpurity::cli
