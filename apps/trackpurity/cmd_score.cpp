#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_score(CLI::App& app) {
  add_unimplemented_command(app, "score", "Score tracks with a model");
}

}  // namespace trackpurity::cli
