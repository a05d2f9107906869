#pragma once

#include <cstddef>
#include <limits>

namespace trackpurity::train {

// Tracks the best epoch of a monitored quantity and decides when to stop: after
// `patience` epochs without an improvement larger than `min_delta`.
class EarlyStopping {
 public:
  enum class Mode { kMinimize, kMaximize };

  EarlyStopping(std::size_t patience, double min_delta, Mode mode)
      : patience_(patience), min_delta_(min_delta), mode_(mode) {}

  // Records the value of `epoch` and returns true when it is the new best.
  bool update(std::size_t epoch, double value) noexcept {
    const bool improved = !has_best_ || (mode_ == Mode::kMinimize ? value < best_ - min_delta_
                                                                  : value > best_ + min_delta_);
    if (improved) {
      best_ = value;
      best_epoch_ = epoch;
      has_best_ = true;
      epochs_without_improvement_ = 0;
    } else {
      ++epochs_without_improvement_;
    }
    return improved;
  }

  bool should_stop() const noexcept { return epochs_without_improvement_ >= patience_; }
  double best() const noexcept { return best_; }
  std::size_t best_epoch() const noexcept { return best_epoch_; }

 private:
  std::size_t patience_;
  double min_delta_;
  Mode mode_;
  bool has_best_ = false;
  double best_ = std::numeric_limits<double>::quiet_NaN();
  std::size_t best_epoch_ = 0;
  std::size_t epochs_without_improvement_ = 0;
};

}  // namespace trackpurity::train
