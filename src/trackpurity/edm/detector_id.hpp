#pragma once

#include <cstdint>
#include <string_view>

namespace trackpurity::edm {

// Tracker subdetectors of the Phase-2-like layout. The numeric values are
// stored in event files: never renumber them.
enum class Subdetector : std::uint8_t {
  kPixelBarrel = 1,    // TBPX: Inner Tracker barrel
  kPixelForward = 2,   // TFPX: Inner Tracker small disks
  kPixelEndcap = 3,    // TEPX: Inner Tracker large disks
  kOuterBarrelPS = 4,  // TBPS: Outer Tracker barrel, PS modules
  kOuterBarrel2S = 5,  // TB2S: Outer Tracker barrel, 2S modules
  kOuterEndcap = 6,    // TEDD: Outer Tracker disks, PS and 2S modules
};

inline constexpr int kSubdetectorCount = 6;

// Inner Tracker (pixel) subdetectors count as "pixel hits" in the CMS features.
constexpr bool is_inner_tracker(Subdetector subdetector) noexcept {
  return subdetector == Subdetector::kPixelBarrel || subdetector == Subdetector::kPixelForward ||
         subdetector == Subdetector::kPixelEndcap;
}

constexpr bool is_barrel(Subdetector subdetector) noexcept {
  return subdetector == Subdetector::kPixelBarrel || subdetector == Subdetector::kOuterBarrelPS ||
         subdetector == Subdetector::kOuterBarrel2S;
}

constexpr bool is_valid_subdetector(int value) noexcept { return value >= 1 && value <= 6; }

// Short names as in the tkLayout description ("TBPX", "TEDD", ...).
std::string_view to_string(Subdetector subdetector) noexcept;

// Sensor technologies, which set the hit resolution.
enum class SensorType : std::uint8_t {
  kPixel = 0,       // Inner Tracker pixel, 25 x 100 um
  kMacroPixel = 1,  // PS module macro-pixel layer, 100 um x 1.5 mm
  kPSStrip = 2,     // PS module strip layer, 100 um x ~2.4 cm
  kStrip2S = 3,     // 2S module strips, 90 um x 5 cm
};

std::string_view to_string(SensorType sensor) noexcept;

}  // namespace trackpurity::edm
