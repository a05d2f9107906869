#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_select(CLI::App& app) {
  add_unimplemented_command(app, "select", "Score and select high-purity tracks");
}

}  // namespace trackpurity::cli
