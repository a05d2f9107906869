#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_simulate(CLI::App& app) {
  add_unimplemented_command(app, "simulate", "Simulate pileup events: particles, material, hits with truth");
}

}  // namespace trackpurity::cli
