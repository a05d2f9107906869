#pragma once

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace trackpurity::logging {

// Returns the named logger ("sim", "reco", "nn", ...), creating it on first
// use with the process-wide level and sink. Thread-safe.
std::shared_ptr<spdlog::logger> get(const std::string& name);

// Sets the level of every existing and future logger. Accepts spdlog names:
// trace, debug, info, warn, error, critical, off. Throws ConfigError otherwise.
void set_level(const std::string& level);

// True when standard error is a terminal (progress lines are drawn only then).
bool stderr_is_terminal() noexcept;

}  // namespace trackpurity::logging
