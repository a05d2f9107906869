#pragma once

#include <cmath>

namespace trackpurity::edm {

// A plain 3-vector of doubles for positions (cm) and momenta (GeV). Fits use
// Eigen internally; the event data model stays free of it.
struct Vector3 {
  double x = 0.0;
  double y = 0.0;
  double z = 0.0;

  double perp() const noexcept { return std::hypot(x, y); }
  double norm() const noexcept { return std::sqrt(x * x + y * y + z * z); }
  double phi() const noexcept { return std::atan2(y, x); }
  // Pseudorapidity -ln tan(theta/2); +-inf along the z axis.
  double eta() const noexcept { return std::asinh(z / perp()); }

  friend bool operator==(const Vector3&, const Vector3&) = default;
};

}  // namespace trackpurity::edm
