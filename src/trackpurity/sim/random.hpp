#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>

// Random numbers for the simulation. Every event owns one generator seeded
// from (run seed, event index), so an event is the same whichever thread
// simulates it. The samplers below are written here, not taken from <random>,
// except Poisson, whose standard library algorithm differs between library
// implementations (the same build still gives the same file).

namespace trackpurity::sim {

// splitmix64 finaliser: a bijective, well-mixed hash of 64 bits.
constexpr std::uint64_t mix64(std::uint64_t value) noexcept {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27U)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31U);
}

// Seed of event `event_index` of a run. Hashing both inputs gives unrelated
// streams to neighbouring events and neighbouring run seeds.
constexpr std::uint64_t event_seed(std::uint64_t run_seed, std::uint64_t event_index) noexcept {
  return mix64(mix64(run_seed) ^ mix64(event_index ^ 0x5DEECE66DULL));
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  // Uniform in [0, 1), from the top 53 bits of one engine output.
  double uniform() noexcept { return static_cast<double>(engine_() >> 11U) * 0x1.0p-53; }

  // Uniform in (0, 1], safe as the argument of a logarithm.
  double uniform_positive() noexcept {
    return (static_cast<double>(engine_() >> 11U) + 1.0) * 0x1.0p-53;
  }

  double uniform(double low, double high) noexcept { return low + (high - low) * uniform(); }

  // Uniform integer in [low, high], both included.
  int uniform_int(int low, int high) noexcept {
    const auto span = static_cast<double>(high - low + 1);
    const int offset = static_cast<int>(uniform() * span);
    return low + (offset > high - low ? high - low : offset);
  }

  // Standard normal deviate (Box-Muller; the second value of each pair is kept for the next call).
  double gaussian() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    const double radius = std::sqrt(-2.0 * std::log(uniform_positive()));
    const double angle = 2.0 * std::numbers::pi * uniform();
    spare_ = radius * std::sin(angle);
    has_spare_ = true;
    return radius * std::cos(angle);
  }

  double gaussian(double mean, double sigma) noexcept { return mean + sigma * gaussian(); }

  double exponential(double mean) noexcept { return -mean * std::log(uniform_positive()); }

  // Gamma deviate with the given shape and unit scale (Marsaglia and Tsang,
  // ACM TOMS 26 (2000) 363; shape < 1 through the u^(1/shape) boost).
  double gamma(double shape) noexcept {
    if (shape < 1.0) {
      return gamma(shape + 1.0) * std::pow(uniform_positive(), 1.0 / shape);
    }
    const double d = shape - 1.0 / 3.0;
    const double c = 1.0 / std::sqrt(9.0 * d);
    while (true) {
      double x = 0.0;
      double v = 0.0;
      do {
        x = gaussian();
        v = 1.0 + c * x;
      } while (v <= 0.0);
      v = v * v * v;
      const double u = uniform_positive();
      if (std::log(u) < 0.5 * x * x + d - d * v + d * std::log(v)) {
        return d * v;
      }
    }
  }

  int poisson(double mean) {
    if (mean <= 0.0) {
      return 0;
    }
    std::poisson_distribution<int> distribution(mean);
    return distribution(engine_);
  }

  bool accept(double probability) noexcept { return uniform() < probability; }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace trackpurity::sim
