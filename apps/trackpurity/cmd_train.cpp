#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_train(CLI::App& app) {
  add_unimplemented_command(app, "train", "Train the purity network on labelled tracks");
}

}  // namespace trackpurity::cli
