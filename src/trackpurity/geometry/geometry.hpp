#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "trackpurity/edm/detector_id.hpp"
#include "trackpurity/edm/vector3.hpp"

namespace trackpurity::geometry {

// Readout properties of one sensor technology. Resolutions are per hit in the
// local frame: u along r-phi (the precise direction), v along z in the barrel
// and along r on disks.
struct SensorSpec {
  edm::SensorType type = edm::SensorType::kPixel;
  double pitch_u = 0.0;    // [cm]
  double length_v = 0.0;   // pixel or strip length [cm]
  double sigma_u = 0.0;    // [cm]
  double sigma_v = 0.0;    // [cm]
  double thickness = 0.0;  // silicon thickness [cm]
};

enum class SurfaceKind : std::uint8_t { kCylinder, kDisk };

// A ring of modules on a disk, all of one sensor type.
struct Ring {
  double r_min = 0.0;  // [cm]
  double r_max = 0.0;  // [cm]
  int phi_modules = 0;
  edm::SensorType sensor = edm::SensorType::kPixel;
};

// One sensitive layer (a barrel cylinder) or one side of a disk. Modules are
// real segments: n_phi x n_z on a cylinder, n_phi per ring on a disk, numbered
// from first_module in the order (z or ring, then phi).
struct Surface {
  std::uint16_t id = 0;     // index in Geometry::surfaces()
  edm::Subdetector subdetector = edm::Subdetector::kPixelBarrel;
  std::uint8_t layer = 0;   // layer or disk number within the subdetector, from 1
  int side = 0;             // 0 for barrel layers, -1 or +1 for disks
  SurfaceKind kind = SurfaceKind::kCylinder;
  double radius = 0.0;      // cylinder radius [cm]
  double half_length = 0.0; // cylinder half length in z [cm]
  double z = 0.0;           // disk position [cm], signed
  double r_min = 0.0;       // disk inner radius [cm]
  double r_max = 0.0;       // disk outer radius [cm]
  int phi_modules = 0;      // cylinder: modules around phi
  int z_modules = 0;        // cylinder: modules along z
  edm::SensorType sensor = edm::SensorType::kPixel;  // cylinder sensor type
  std::vector<Ring> rings;  // disk rings, inside out
  double x_over_x0 = 0.0;   // material at normal incidence, in radiation lengths
  double hit_efficiency = 1.0;
  std::uint32_t first_module = 0;
  std::uint32_t module_count = 0;

  bool is_disk() const noexcept { return kind == SurfaceKind::kDisk; }
};

// A passive material surface (beam pipe, support tubes, service disks).
struct PassiveSurface {
  std::string name;
  SurfaceKind kind = SurfaceKind::kCylinder;
  double radius = 0.0;
  double half_length = 0.0;
  double z = 0.0;  // signed disk position; a disk entry in the file makes one per side
  double r_min = 0.0;
  double r_max = 0.0;
  double x_over_x0 = 0.0;
};

// The module that contains a point of a surface.
struct ModuleHit {
  std::uint32_t module_id = 0;
  bool active = true;
  edm::SensorType sensor = edm::SensorType::kPixel;
};

// A Phase-2-like tracker: sensitive surfaces with their modules, passive
// material and a uniform solenoid field along z. Loaded from a JSON file that
// users can edit; every field is validated on load.
class Geometry {
 public:
  // Parses and validates a geometry document. `source` names the file in errors.
  static Geometry from_json(const nlohmann::json& document, const std::string& source);
  // Reads and validates a geometry file; FileError names the file and the field.
  static Geometry load(const std::string& path);
  // The geometry shipped with the project (data/phase2_like_geometry.json).
  static std::string default_path();

  // The document this geometry was built from, with the inactive-module
  // settings in force, so that an event file can record and rebuild it.
  const nlohmann::json& document() const noexcept { return document_; }

  const std::string& name() const noexcept { return name_; }
  double magnetic_field() const noexcept { return magnetic_field_; }  // [T]
  double max_eta() const noexcept { return max_eta_; }
  const std::vector<Surface>& surfaces() const noexcept { return surfaces_; }
  const std::vector<PassiveSurface>& passive_surfaces() const noexcept { return passive_; }
  const SensorSpec& sensor(edm::SensorType type) const noexcept;
  std::uint32_t module_count() const noexcept { return static_cast<std::uint32_t>(active_.size()); }
  std::uint32_t inactive_module_count() const noexcept;
  bool is_active(std::uint32_t module_id) const noexcept { return active_[module_id] != 0; }
  // The surface that owns module `module_id`.
  const Surface& surface_of_module(std::uint32_t module_id) const;

  // The module of `surface` that contains `point` (a point on the surface), or
  // nothing when the point lies outside the surface's extent.
  std::optional<ModuleHit> locate(const Surface& surface, const edm::Vector3& point) const noexcept;

  // Marks a random fraction of modules inactive, the same for the same seed.
  // Replaces any earlier choice.
  void set_inactive_modules(double fraction, std::uint64_t seed);

 private:
  std::string name_;
  double magnetic_field_ = 3.8;
  double max_eta_ = 4.0;
  std::vector<SensorSpec> sensors_;
  std::vector<Surface> surfaces_;
  std::vector<PassiveSurface> passive_;
  std::vector<std::uint8_t> active_;
  std::vector<std::uint16_t> module_surface_;
  nlohmann::json document_;
};

// Sensor type from its name in geometry files ("pixel", "ps_macro_pixel",
// "ps_strip", "2s_strip"); nothing for an unknown name.
std::optional<edm::SensorType> sensor_type_from_name(const std::string& name) noexcept;
// Subdetector from its short name ("TBPX", ...); nothing for an unknown name.
std::optional<edm::Subdetector> subdetector_from_name(const std::string& name) noexcept;

}  // namespace trackpurity::geometry
