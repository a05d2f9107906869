#include "trackpurity/core/logging.hpp"

#include <unistd.h>

#include <mutex>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::logging {

namespace {

std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}

spdlog::level::level_enum& current_level() {
  static spdlog::level::level_enum level = spdlog::level::info;
  return level;
}

spdlog::sink_ptr shared_sink() {
  static spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  return sink;
}

}  // namespace

std::shared_ptr<spdlog::logger> get(const std::string& name) {
  std::lock_guard lock(registry_mutex());
  if (auto existing = spdlog::get(name)) {
    return existing;
  }
  auto logger = std::make_shared<spdlog::logger>(name, shared_sink());
  logger->set_level(current_level());
  logger->set_pattern("[%H:%M:%S.%e] [%n] [%^%l%$] %v");
  spdlog::register_logger(logger);
  return logger;
}

void set_level(const std::string& level) {
  const auto parsed = spdlog::level::from_str(level);
  // from_str returns `off` for unknown names, so accept "off" only when spelled out.
  if (parsed == spdlog::level::off && level != "off") {
    throw ConfigError("invalid log level '" + level +
                      "': expected one of trace, debug, info, warn, error, critical, off");
  }
  std::lock_guard lock(registry_mutex());
  current_level() = parsed;
  spdlog::apply_all([parsed](const std::shared_ptr<spdlog::logger>& logger) {
    logger->set_level(parsed);
  });
}

bool stderr_is_terminal() noexcept { return ::isatty(STDERR_FILENO) == 1; }

}  // namespace trackpurity::logging
