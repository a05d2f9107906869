#include "trackpurity/core/progress.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include <fmt/core.h>

#include "trackpurity/core/logging.hpp"

namespace trackpurity {

ProgressLine::ProgressLine(std::string label, std::size_t total, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      enabled_(logging::stderr_is_terminal()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressLine::~ProgressLine() { finish(); }

void ProgressLine::advance(std::size_t count) {
  std::lock_guard lock(mutex_);
  done_ += count;
  draw_locked(false);
}

void ProgressLine::set_status(std::string status) {
  std::lock_guard lock(mutex_);
  status_ = std::move(status);
  draw_locked(false);
}

void ProgressLine::finish() {
  std::lock_guard lock(mutex_);
  if (finished_) {
    return;
  }
  draw_locked(true);
  if (enabled_) {
    std::fputc('\n', stderr);
  }
  finished_ = true;
}

void ProgressLine::draw_locked(bool force) {
  if (!enabled_ || finished_) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(200)) {
    return;
  }
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double rate = elapsed > 0 ? static_cast<double>(done_) / elapsed : 0.0;
  const double remaining =
      rate > 0 && total_ > done_ ? static_cast<double>(total_ - done_) / rate : 0.0;
  std::string line = fmt::format("\r{} {:>6}/{} {}  {:.2f} {}/s  elapsed {:.0f} s  eta {:.0f} s",
                                 label_, done_, total_, unit_, rate, unit_, elapsed, remaining);
  if (!status_.empty()) {
    line += "  " + status_;
  }
  line += "\033[K";
  std::fputs(line.c_str(), stderr);
  std::fflush(stderr);
}

double peak_rss_mib() noexcept {
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) != 0) {
    return 0.0;
  }
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

double current_rss_mib() noexcept {
  std::ifstream statm("/proc/self/statm");
  long pages_total = 0;
  long pages_resident = 0;
  if (!(statm >> pages_total >> pages_resident)) {
    return 0.0;
  }
  return static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) /
         (1024.0 * 1024.0);
}

}  // namespace trackpurity
