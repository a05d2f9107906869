#pragma once

#include <CLI/CLI.hpp>

// Each command lives in its own cmd_<name>.cpp and registers itself here.
namespace trackpurity::cli {

void register_simulate(CLI::App& app);
void register_reconstruct(CLI::App& app);
void register_train(CLI::App& app);
void register_calibrate(CLI::App& app);
void register_score(CLI::App& app);
void register_select(CLI::App& app);
void register_validate(CLI::App& app);
void register_run(CLI::App& app);
void register_inspect(CLI::App& app);
void register_bench(CLI::App& app);

}  // namespace trackpurity::cli
