#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_calibrate(CLI::App& app) {
  add_unimplemented_command(app, "calibrate", "Set working points at a target selection efficiency");
}

}  // namespace trackpurity::cli
