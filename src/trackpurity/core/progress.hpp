#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace trackpurity {

// A progress line on standard error ("simulate  42/100 events  3.1 ev/s  eta 19 s"),
// redrawn at most every 200 ms and only when standard error is a terminal, so
// that logs and CI output stay clean. Thread-safe: workers call advance().
class ProgressLine {
 public:
  ProgressLine(std::string label, std::size_t total, std::string unit = "events");
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void advance(std::size_t count = 1);
  // Replaces the free text shown after the counters (losses, AUC, ...).
  void set_status(std::string status);
  // Draws the final state and moves to a new line.
  void finish();

 private:
  void draw_locked(bool force);

  std::string label_;
  std::string unit_;
  std::string status_;
  std::size_t total_ = 0;
  std::size_t done_ = 0;
  bool enabled_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex mutex_;
};

// Peak resident set size of this process in MiB (from getrusage).
double peak_rss_mib() noexcept;

// Current resident set size of this process in MiB (from /proc/self/statm), 0 if unavailable.
double current_rss_mib() noexcept;

}  // namespace trackpurity
