#include "trackpurity/edm/detector_id.hpp"
#include "trackpurity/edm/particle.hpp"
#include "trackpurity/edm/track.hpp"

namespace trackpurity::edm {

std::string_view to_string(Subdetector subdetector) noexcept {
  switch (subdetector) {
    case Subdetector::kPixelBarrel:
      return "TBPX";
    case Subdetector::kPixelForward:
      return "TFPX";
    case Subdetector::kPixelEndcap:
      return "TEPX";
    case Subdetector::kOuterBarrelPS:
      return "TBPS";
    case Subdetector::kOuterBarrel2S:
      return "TB2S";
    case Subdetector::kOuterEndcap:
      return "TEDD";
  }
  return "unknown";
}

std::string_view to_string(SensorType sensor) noexcept {
  switch (sensor) {
    case SensorType::kPixel:
      return "pixel";
    case SensorType::kMacroPixel:
      return "ps_macro_pixel";
    case SensorType::kPSStrip:
      return "ps_strip";
    case SensorType::kStrip2S:
      return "2s_strip";
  }
  return "unknown";
}

std::string_view to_string(CreationProcess process) noexcept {
  switch (process) {
    case CreationProcess::kPrimary:
      return "primary";
    case CreationProcess::kDecay:
      return "decay";
    case CreationProcess::kConversion:
      return "conversion";
    case CreationProcess::kHadronic:
      return "hadronic";
  }
  return "unknown";
}

std::string_view to_string(HitType type) noexcept {
  switch (type) {
    case HitType::kValid:
      return "valid";
    case HitType::kMissing:
      return "missing";
    case HitType::kInactive:
      return "inactive";
    case HitType::kBad:
      return "bad";
  }
  return "unknown";
}

std::string_view to_string(Iteration iteration) noexcept {
  switch (iteration) {
    case Iteration::kPrompt:
      return "prompt";
    case Iteration::kDisplaced:
      return "displaced";
  }
  return "unknown";
}

}  // namespace trackpurity::edm
