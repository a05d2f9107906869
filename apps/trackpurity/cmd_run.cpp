#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_run(CLI::App& app) {
  add_unimplemented_command(app, "run", "Simulate, reconstruct, select and summarise (the main job)");
}

}  // namespace trackpurity::cli
