#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_inspect(CLI::App& app) {
  add_unimplemented_command(app, "inspect", "Print the contents of an event or model file");
}

}  // namespace trackpurity::cli
