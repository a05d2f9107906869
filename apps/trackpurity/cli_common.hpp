#pragma once

#include <functional>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace trackpurity::cli {

// Options every command takes: --log-level, -q (warnings and errors only), -v (debug).
struct LoggingOptions {
  std::string level = "info";
  bool quiet = false;
  bool verbose = false;
};

// Adds the logging options to `command` and applies them before the command runs.
void add_logging_options(CLI::App& command, LoggingOptions& options);

// Applies parsed logging options to every logger.
void apply_logging_options(const LoggingOptions& options);

// Registers a subcommand whose body is `action`. The action returns the exit
// status; exceptions are reported by main().
CLI::App* add_command(CLI::App& app, const std::string& name, const std::string& description,
                      std::function<int()> action);

// Registers a command that this build does not provide yet: it prints that it
// is not implemented and exits with status 2.
void add_unimplemented_command(CLI::App& app, const std::string& name,
                               const std::string& description);

// Exit status of the command that ran, set by the command action.
int& command_status();

// The program's command line as typed, recorded in output provenance.
void set_command_line(int argc, char** argv);
const std::string& command_line();

// Writes `document` as indented JSON to `path`. Throws FileError on failure.
void write_json_file(const std::string& path, const nlohmann::json& document);

// Folder of the project's shipped data (geometry, models), for defaults.
std::string data_dir();

}  // namespace trackpurity::cli
