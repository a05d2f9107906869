#include "trackpurity/geometry/geometry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <numbers>
#include <stdexcept>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"

namespace trackpurity::geometry {

namespace {

using nlohmann::json;

// Reads typed fields from a JSON object and throws FileError naming the
// source, the path of the field and the expected value.
class FieldReader {
 public:
  FieldReader(const json& object, std::string path, const std::string& source)
      : object_(object), path_(std::move(path)), source_(source) {
    if (!object_.is_object()) {
      fail(path_, "expected a JSON object");
    }
  }

  double positive(const std::string& key) const {
    const double value = number(key);
    if (!(value > 0.0)) {
      fail(field(key), "expected a positive number, found " + std::to_string(value));
    }
    return value;
  }

  double number(const std::string& key) const {
    const json& value = require(key);
    if (!value.is_number() || !std::isfinite(value.get<double>())) {
      fail(field(key), "expected a finite number");
    }
    return value.get<double>();
  }

  double fraction(const std::string& key) const {
    const double value = number(key);
    if (value < 0.0 || value > 1.0) {
      fail(field(key), "expected a number in [0, 1], found " + std::to_string(value));
    }
    return value;
  }

  int positive_integer(const std::string& key) const {
    const json& value = require(key);
    if (!value.is_number_integer() || value.get<long long>() <= 0 ||
        value.get<long long>() > 100000) {
      fail(field(key), "expected a positive integer below 100000");
    }
    return value.get<int>();
  }

  std::uint64_t unsigned_integer(const std::string& key) const {
    const json& value = require(key);
    if (!value.is_number_unsigned()) {
      fail(field(key), "expected a non-negative integer");
    }
    return value.get<std::uint64_t>();
  }

  std::string string(const std::string& key) const {
    const json& value = require(key);
    if (!value.is_string()) {
      fail(field(key), "expected a string");
    }
    return value.get<std::string>();
  }

  const json& array(const std::string& key) const {
    const json& value = require(key);
    if (!value.is_array()) {
      fail(field(key), "expected an array");
    }
    return value;
  }

  const json& object(const std::string& key) const {
    const json& value = require(key);
    if (!value.is_object()) {
      fail(field(key), "expected an object");
    }
    return value;
  }

  edm::SensorType sensor(const std::string& key) const {
    const auto type = sensor_type_from_name(string(key));
    if (!type) {
      fail(field(key), "expected one of pixel, ps_macro_pixel, ps_strip, 2s_strip");
    }
    return *type;
  }

  edm::Subdetector subdetector(const std::string& key) const {
    const auto subdetector = subdetector_from_name(string(key));
    if (!subdetector) {
      fail(field(key), "expected one of TBPX, TFPX, TEPX, TBPS, TB2S, TEDD");
    }
    return *subdetector;
  }

  std::string field(const std::string& key) const {
    return path_.empty() ? key : path_ + "." + key;
  }

  [[noreturn]] void fail(const std::string& where, const std::string& problem) const {
    throw FileError(source_, where, problem);
  }

 private:
  const json& require(const std::string& key) const {
    const auto found = object_.find(key);
    if (found == object_.end()) {
      fail(field(key), "missing field");
    }
    return *found;
  }

  const json& object_;
  std::string path_;
  const std::string& source_;
};

std::string indexed(const std::string& name, std::size_t index) {
  return name + "[" + std::to_string(index) + "]";
}

// splitmix64: a well-mixed hash of (seed, module id) decides each module
// independently, so the choice does not depend on iteration order.
std::uint64_t mix(std::uint64_t value) noexcept {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27U)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31U);
}

// Azimuth folded into [0, 2 pi).
double wrap_phi(double phi) noexcept {
  constexpr double two_pi = 2.0 * std::numbers::pi;
  double wrapped = std::fmod(phi, two_pi);
  if (wrapped < 0.0) {
    wrapped += two_pi;
  }
  return wrapped;
}

int phi_index(double phi, int modules) noexcept {
  const int index = static_cast<int>(wrap_phi(phi) / (2.0 * std::numbers::pi) * modules);
  return std::clamp(index, 0, modules - 1);
}

SensorSpec read_sensor(const FieldReader& reader, edm::SensorType type) {
  SensorSpec spec;
  spec.type = type;
  spec.pitch_u = reader.positive("pitch_u_um") * units::um;
  spec.length_v = reader.positive("length_v_um") * units::um;
  spec.sigma_u = reader.positive("sigma_u_um") * units::um;
  spec.sigma_v = reader.positive("sigma_v_um") * units::um;
  spec.thickness = reader.positive("thickness_um") * units::um;
  return spec;
}

}  // namespace

std::optional<edm::SensorType> sensor_type_from_name(const std::string& name) noexcept {
  if (name == "pixel") {
    return edm::SensorType::kPixel;
  }
  if (name == "ps_macro_pixel") {
    return edm::SensorType::kMacroPixel;
  }
  if (name == "ps_strip") {
    return edm::SensorType::kPSStrip;
  }
  if (name == "2s_strip") {
    return edm::SensorType::kStrip2S;
  }
  return std::nullopt;
}

std::optional<edm::Subdetector> subdetector_from_name(const std::string& name) noexcept {
  for (int value = 1; value <= edm::kSubdetectorCount; ++value) {
    const auto subdetector = static_cast<edm::Subdetector>(value);
    if (edm::to_string(subdetector) == name) {
      return subdetector;
    }
  }
  return std::nullopt;
}

Geometry Geometry::from_json(const json& document, const std::string& source) {
  Geometry geometry;
  const FieldReader top(document, "", source);
  geometry.name_ = top.string("name");
  geometry.magnetic_field_ = top.positive("magnetic_field_T") * units::T;
  geometry.max_eta_ = top.positive("max_eta");

  // 1. Sensors: every technology must be described, since layers refer to them.
  const json& sensors = top.object("sensors");
  const FieldReader sensors_reader(sensors, "sensors", source);
  for (const char* name : {"pixel", "ps_macro_pixel", "ps_strip", "2s_strip"}) {
    const edm::SensorType type = *sensor_type_from_name(name);
    const FieldReader reader(sensors_reader.object(name), std::string("sensors.") + name, source);
    geometry.sensors_.push_back(read_sensor(reader, type));
  }

  std::uint32_t next_module = 0;

  // 2. Barrel layers: one cylinder each.
  const json& barrel = top.array("barrel_layers");
  for (std::size_t i = 0; i < barrel.size(); ++i) {
    const FieldReader reader(barrel[i], indexed("barrel_layers", i), source);
    Surface surface;
    surface.kind = SurfaceKind::kCylinder;
    surface.subdetector = reader.subdetector("subdetector");
    if (!edm::is_barrel(surface.subdetector)) {
      reader.fail(reader.field("subdetector"), "expected a barrel subdetector (TBPX, TBPS, TB2S)");
    }
    surface.layer = static_cast<std::uint8_t>(reader.positive_integer("layer"));
    surface.radius = reader.positive("radius_cm") * units::cm;
    surface.half_length = reader.positive("half_length_cm") * units::cm;
    surface.phi_modules = reader.positive_integer("phi_modules");
    surface.z_modules = reader.positive_integer("z_modules");
    surface.sensor = reader.sensor("sensor");
    surface.x_over_x0 = reader.fraction("x_over_x0");
    surface.hit_efficiency = reader.fraction("hit_efficiency");
    surface.first_module = next_module;
    surface.module_count = static_cast<std::uint32_t>(surface.phi_modules * surface.z_modules);
    next_module += surface.module_count;
    geometry.surfaces_.push_back(surface);
  }

  // 3. Disks: each entry makes two surfaces, at -z and +z.
  const json& disks = top.array("disks");
  for (std::size_t i = 0; i < disks.size(); ++i) {
    const FieldReader reader(disks[i], indexed("disks", i), source);
    Surface surface;
    surface.kind = SurfaceKind::kDisk;
    surface.subdetector = reader.subdetector("subdetector");
    if (edm::is_barrel(surface.subdetector)) {
      reader.fail(reader.field("subdetector"), "expected a disk subdetector (TFPX, TEPX, TEDD)");
    }
    surface.layer = static_cast<std::uint8_t>(reader.positive_integer("disk"));
    const double z = reader.positive("z_cm") * units::cm;
    surface.x_over_x0 = reader.fraction("x_over_x0");
    surface.hit_efficiency = reader.fraction("hit_efficiency");
    const json& rings = reader.array("rings");
    if (rings.empty()) {
      reader.fail(reader.field("rings"), "expected at least one ring");
    }
    for (std::size_t k = 0; k < rings.size(); ++k) {
      const FieldReader ring_reader(rings[k], reader.field(indexed("rings", k)), source);
      Ring ring;
      ring.r_min = ring_reader.positive("r_min_cm") * units::cm;
      ring.r_max = ring_reader.positive("r_max_cm") * units::cm;
      ring.phi_modules = ring_reader.positive_integer("phi_modules");
      ring.sensor = ring_reader.sensor("sensor");
      if (ring.r_max <= ring.r_min) {
        ring_reader.fail(ring_reader.field("r_max_cm"), "expected r_max_cm > r_min_cm");
      }
      if (!surface.rings.empty() && ring.r_min < surface.rings.back().r_max - 1e-9) {
        ring_reader.fail(ring_reader.field("r_min_cm"),
                         "expected rings ordered inside out without overlap");
      }
      surface.module_count += static_cast<std::uint32_t>(ring.phi_modules);
      surface.rings.push_back(ring);
    }
    surface.r_min = surface.rings.front().r_min;
    surface.r_max = surface.rings.back().r_max;
    for (const int side : {-1, +1}) {
      Surface sided = surface;
      sided.side = side;
      sided.z = side * z;
      sided.first_module = next_module;
      next_module += sided.module_count;
      geometry.surfaces_.push_back(sided);
    }
  }

  // 4. Passive material.
  const json& passive = top.array("passive");
  for (std::size_t i = 0; i < passive.size(); ++i) {
    const FieldReader reader(passive[i], indexed("passive", i), source);
    PassiveSurface surface;
    surface.name = reader.string("name");
    surface.x_over_x0 = reader.fraction("x_over_x0");
    const std::string kind = reader.string("kind");
    if (kind == "cylinder") {
      surface.kind = SurfaceKind::kCylinder;
      surface.radius = reader.positive("radius_cm") * units::cm;
      surface.half_length = reader.positive("half_length_cm") * units::cm;
      geometry.passive_.push_back(surface);
    } else if (kind == "disk") {
      surface.kind = SurfaceKind::kDisk;
      const double z = reader.positive("z_cm") * units::cm;
      surface.r_min = reader.positive("r_min_cm") * units::cm;
      surface.r_max = reader.positive("r_max_cm") * units::cm;
      if (surface.r_max <= surface.r_min) {
        reader.fail(reader.field("r_max_cm"), "expected r_max_cm > r_min_cm");
      }
      for (const int side : {-1, +1}) {
        PassiveSurface sided = surface;
        sided.z = side * z;
        geometry.passive_.push_back(sided);
      }
    } else {
      reader.fail(reader.field("kind"), "expected \"cylinder\" or \"disk\", found \"" + kind + "\"");
    }
  }

  // 5. Number the surfaces and map modules to them.
  if (geometry.surfaces_.empty()) {
    top.fail("barrel_layers", "expected at least one sensitive surface");
  }
  for (std::size_t i = 0; i < geometry.surfaces_.size(); ++i) {
    Surface& surface = geometry.surfaces_[i];
    surface.id = static_cast<std::uint16_t>(i);
    geometry.module_surface_.insert(geometry.module_surface_.end(), surface.module_count,
                                    surface.id);
  }
  geometry.active_.assign(next_module, 1);
  geometry.document_ = document;

  const double fraction = top.fraction("inactive_module_fraction");
  const std::uint64_t seed = top.unsigned_integer("inactive_module_seed");
  geometry.set_inactive_modules(fraction, seed);
  return geometry;
}

Geometry Geometry::load(const std::string& path) {
  std::ifstream stream(path);
  if (!stream) {
    throw FileError(path, "", "cannot open geometry file");
  }
  json document;
  try {
    document = json::parse(stream);
  } catch (const json::parse_error& error) {
    throw FileError(path, "", std::string("invalid JSON: ") + error.what());
  }
  return from_json(document, path);
}

std::string Geometry::default_path() {
  // TRACKPURITY_DATA_DIR in the environment overrides the source folder the
  // program was built from, for relocated installations.
  if (const char* data_dir = std::getenv("TRACKPURITY_DATA_DIR")) {
    return std::string(data_dir) + "/phase2_like_geometry.json";
  }
  return std::string(TRACKPURITY_DATA_DIR) + "/phase2_like_geometry.json";
}

const SensorSpec& Geometry::sensor(edm::SensorType type) const noexcept {
  return sensors_[static_cast<std::size_t>(type)];
}

std::uint32_t Geometry::inactive_module_count() const noexcept {
  return static_cast<std::uint32_t>(std::count(active_.begin(), active_.end(), 0));
}

const Surface& Geometry::surface_of_module(std::uint32_t module_id) const {
  if (module_id >= module_surface_.size()) {
    throw std::out_of_range("module id " + std::to_string(module_id) + " is beyond the " +
                            std::to_string(module_surface_.size()) + " modules of the geometry");
  }
  return surfaces_[module_surface_[module_id]];
}

std::optional<ModuleHit> Geometry::locate(const Surface& surface,
                                          const edm::Vector3& point) const noexcept {
  const double phi = std::atan2(point.y, point.x);
  if (surface.kind == SurfaceKind::kCylinder) {
    if (std::abs(point.z) > surface.half_length) {
      return std::nullopt;
    }
    const double z_fraction = (point.z + surface.half_length) / (2.0 * surface.half_length);
    const int z_index =
        std::clamp(static_cast<int>(z_fraction * surface.z_modules), 0, surface.z_modules - 1);
    const auto module = surface.first_module +
                        static_cast<std::uint32_t>(z_index * surface.phi_modules +
                                                   phi_index(phi, surface.phi_modules));
    return ModuleHit{module, active_[module] != 0, surface.sensor};
  }

  const double r = point.perp();
  std::uint32_t ring_offset = 0;
  for (const Ring& ring : surface.rings) {
    if (r >= ring.r_min && r < ring.r_max) {
      const auto module =
          surface.first_module + ring_offset + static_cast<std::uint32_t>(phi_index(phi, ring.phi_modules));
      return ModuleHit{module, active_[module] != 0, ring.sensor};
    }
    ring_offset += static_cast<std::uint32_t>(ring.phi_modules);
  }
  return std::nullopt;
}

void Geometry::set_inactive_modules(double fraction, std::uint64_t seed) {
  if (fraction < 0.0 || fraction > 1.0) {
    throw ConfigError("inactive module fraction must be in [0, 1], found " +
                      std::to_string(fraction));
  }
  // Keep 53 bits of the hash: a uniform double in [0, 1).
  constexpr double kInverse53 = 1.0 / 9007199254740992.0;
  for (std::uint32_t module = 0; module < active_.size(); ++module) {
    const double uniform = static_cast<double>(mix(seed ^ mix(module)) >> 11U) * kInverse53;
    active_[module] = uniform < fraction ? 0 : 1;
  }
  document_["inactive_module_fraction"] = fraction;
  document_["inactive_module_seed"] = seed;
}

}  // namespace trackpurity::geometry
