#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli_common.hpp"
#include "commands.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/version.hpp"

int main(int argc, char** argv) {
  using namespace trackpurity;

  cli::set_command_line(argc, argv);
  CLI::App app{"trackpurity: high-purity selection of reconstructed tracks with a neural network"};
  app.set_version_flag("--version", std::string(program_version()));
  app.require_subcommand(1);

  cli::LoggingOptions logging_options;
  cli::add_logging_options(app, logging_options);
  app.parse_complete_callback([&]() { cli::apply_logging_options(logging_options); });

  cli::register_simulate(app);
  cli::register_reconstruct(app);
  cli::register_train(app);
  cli::register_calibrate(app);
  cli::register_score(app);
  cli::register_select(app);
  cli::register_validate(app);
  cli::register_run(app);
  cli::register_inspect(app);
  cli::register_bench(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const ConfigError& error) {
    logging::get("cli")->error("invalid configuration: {}", error.what());
    return 2;
  } catch (const FileError& error) {
    logging::get("cli")->error("{}", error.what());
    return 3;
  } catch (const std::exception& error) {
    logging::get("cli")->error("{}", error.what());
    return 1;
  }
  return cli::command_status();
}
