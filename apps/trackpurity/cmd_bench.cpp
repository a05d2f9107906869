#include "cli_common.hpp"
#include "commands.hpp"

namespace trackpurity::cli {

void register_bench(CLI::App& app) {
  add_unimplemented_command(app, "bench", "Benchmark the inference engines");
}

}  // namespace trackpurity::cli
