#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_validate(CLI::App& app) {
  add_unimplemented_command(app, "validate", "Validate a selection: rates, ROC, plots and report");
}

}  // namespace trackpurity::cli
