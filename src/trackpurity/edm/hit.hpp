#pragma once

#include <cstdint>

#include "trackpurity/edm/detector_id.hpp"
#include "trackpurity/edm/vector3.hpp"

namespace trackpurity::edm {

// A measured hit in one sensitive module. The local frame has u along the
// precise direction (r-phi) and v along the coarse one (z in the barrel, r on disks).
struct Hit {
  std::uint32_t id = 0;            // index of the hit within its event
  std::uint32_t module_id = 0;     // global module index in the geometry
  std::uint16_t layer_id = 0;      // global surface index in the geometry (a disk side counts apart)
  Subdetector subdetector = Subdetector::kPixelBarrel;
  std::uint8_t layer = 0;          // layer or disk number within the subdetector, from 1
  Vector3 position;                // measured global position [cm]
  double sigma_u = 0.0;            // local resolution along u [cm]
  double sigma_v = 0.0;            // local resolution along v [cm]
  std::int32_t particle = -1;      // truth: id of the particle that made the hit, -1 for noise
  Vector3 true_position;           // truth: where the particle crossed the sensor [cm]

  friend bool operator==(const Hit&, const Hit&) = default;
};

}  // namespace trackpurity::edm
