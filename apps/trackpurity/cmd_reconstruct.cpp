#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_reconstruct(CLI::App& app) {
  add_unimplemented_command(app, "reconstruct", "Reconstruct tracks from simulated hits and associate them to particles");
}

}  // namespace trackpurity::cli
