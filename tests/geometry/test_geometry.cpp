#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "trackpurity/core/error.hpp"
#include "trackpurity/geometry/geometry.hpp"

namespace trackpurity::geometry {
namespace {

using nlohmann::json;

json default_document() {
  std::ifstream stream(Geometry::default_path());
  return json::parse(stream);
}

// Expects FileError from `document` with `field` and `problem` in the message.
void expect_rejected(const json& document, const std::string& field, const std::string& problem) {
  try {
    (void)Geometry::from_json(document, "edited.json");
    FAIL() << "geometry with a bad " << field << " was accepted";
  } catch (const FileError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.path(), "edited.json");
    EXPECT_NE(message.find(field), std::string::npos) << message;
    EXPECT_NE(message.find(problem), std::string::npos) << message;
  }
}

int count_surfaces(const Geometry& geometry, edm::Subdetector subdetector) {
  int count = 0;
  for (const Surface& surface : geometry.surfaces()) {
    count += surface.subdetector == subdetector ? 1 : 0;
  }
  return count;
}

TEST(Geometry, DefaultHasPhase2Layout) {
  const Geometry geometry = Geometry::load(Geometry::default_path());
  EXPECT_EQ(count_surfaces(geometry, edm::Subdetector::kPixelBarrel), 4);
  EXPECT_EQ(count_surfaces(geometry, edm::Subdetector::kPixelForward), 16);  // 8 per side
  EXPECT_EQ(count_surfaces(geometry, edm::Subdetector::kPixelEndcap), 8);
  EXPECT_EQ(count_surfaces(geometry, edm::Subdetector::kOuterBarrelPS), 3);
  EXPECT_EQ(count_surfaces(geometry, edm::Subdetector::kOuterBarrel2S), 3);
  EXPECT_EQ(count_surfaces(geometry, edm::Subdetector::kOuterEndcap), 10);
  EXPECT_DOUBLE_EQ(geometry.magnetic_field(), 3.8);
  EXPECT_DOUBLE_EQ(geometry.surfaces().front().radius, 3.0);
  EXPECT_FALSE(geometry.passive_surfaces().empty());
}

TEST(Geometry, SurfaceIdsAndModuleRangesAreConsecutive) {
  const Geometry geometry = Geometry::load(Geometry::default_path());
  std::uint32_t next = 0;
  for (std::size_t i = 0; i < geometry.surfaces().size(); ++i) {
    const Surface& surface = geometry.surfaces()[i];
    EXPECT_EQ(surface.id, i);
    EXPECT_EQ(surface.first_module, next);
    next += surface.module_count;
  }
  EXPECT_EQ(next, geometry.module_count());
  EXPECT_EQ(geometry.surface_of_module(next - 1).id, geometry.surfaces().size() - 1);
  EXPECT_THROW((void)geometry.surface_of_module(next), std::out_of_range);
}

TEST(Geometry, LocateFindsModuleOnCylinder) {
  const Geometry geometry = Geometry::load(Geometry::default_path());
  const Surface& layer1 = geometry.surfaces().front();
  const auto hit = geometry.locate(layer1, {layer1.radius, 0.0, 0.1});
  ASSERT_TRUE(hit.has_value());
  // phi = 0 is the first phi module; z = 0.1 is just above the middle of 10 z modules.
  EXPECT_EQ(hit->module_id, layer1.first_module + 5U * static_cast<std::uint32_t>(layer1.phi_modules));
  EXPECT_EQ(hit->sensor, edm::SensorType::kPixel);
  EXPECT_EQ(&geometry.surface_of_module(hit->module_id), &layer1);
  EXPECT_FALSE(geometry.locate(layer1, {layer1.radius, 0.0, layer1.half_length + 0.1}).has_value());
}

TEST(Geometry, LocateFindsRingOnDisk) {
  const Geometry geometry = Geometry::load(Geometry::default_path());
  for (const Surface& surface : geometry.surfaces()) {
    if (surface.subdetector != edm::Subdetector::kOuterEndcap || surface.side != +1) {
      continue;
    }
    const auto inner = geometry.locate(surface, {surface.r_min + 0.5, 0.0, surface.z});
    const auto outer = geometry.locate(surface, {0.0, surface.r_max - 0.5, surface.z});
    ASSERT_TRUE(inner.has_value());
    ASSERT_TRUE(outer.has_value());
    EXPECT_EQ(inner->sensor, edm::SensorType::kMacroPixel);
    EXPECT_EQ(outer->sensor, edm::SensorType::kStrip2S);
    EXPECT_FALSE(geometry.locate(surface, {surface.r_max + 1.0, 0.0, surface.z}).has_value());
    return;
  }
  FAIL() << "no TEDD disk on the +z side";
}

TEST(Geometry, CoversEtaUpToFour) {
  // A straight line from the origin at |eta| = 3.9 must cross at least 4 sensitive surfaces.
  const Geometry geometry = Geometry::load(Geometry::default_path());
  const double theta = 2.0 * std::atan(std::exp(-3.9));
  int crossed = 0;
  for (const Surface& surface : geometry.surfaces()) {
    if (!surface.is_disk() || surface.side != +1) {
      continue;
    }
    const double r = surface.z * std::tan(theta);
    crossed += geometry.locate(surface, {r, 0.0, surface.z}).has_value() ? 1 : 0;
  }
  EXPECT_GE(crossed, 4);
}

TEST(Geometry, InactiveFractionIsDeterministicAndClose) {
  Geometry geometry = Geometry::load(Geometry::default_path());
  geometry.set_inactive_modules(0.05, 7);
  const std::uint32_t first = geometry.inactive_module_count();
  const double expected = 0.05 * geometry.module_count();
  // Binomial standard deviation is sqrt(n p (1-p)) ~ 30 modules; allow 5 sigma.
  EXPECT_NEAR(first, expected, 5.0 * std::sqrt(expected * 0.95));
  geometry.set_inactive_modules(0.05, 7);
  EXPECT_EQ(geometry.inactive_module_count(), first);
  geometry.set_inactive_modules(0.0, 7);
  EXPECT_EQ(geometry.inactive_module_count(), 0U);
  EXPECT_EQ(geometry.document()["inactive_module_fraction"].get<double>(), 0.0);
  EXPECT_THROW(geometry.set_inactive_modules(1.5, 7), ConfigError);
}

TEST(Geometry, DocumentRebuildsSameGeometry) {
  const Geometry geometry = Geometry::load(Geometry::default_path());
  const Geometry rebuilt = Geometry::from_json(geometry.document(), "copy");
  ASSERT_EQ(rebuilt.module_count(), geometry.module_count());
  for (std::uint32_t module = 0; module < geometry.module_count(); ++module) {
    ASSERT_EQ(rebuilt.is_active(module), geometry.is_active(module)) << "module " << module;
  }
}

TEST(GeometryValidation, MissingFieldIsNamed) {
  json document = default_document();
  document["barrel_layers"][2].erase("radius_cm");
  expect_rejected(document, "barrel_layers[2].radius_cm", "missing field");
}

TEST(GeometryValidation, NegativeRadiusIsRejected) {
  json document = default_document();
  document["barrel_layers"][0]["radius_cm"] = -3.0;
  expect_rejected(document, "barrel_layers[0].radius_cm", "expected a positive number");
}

TEST(GeometryValidation, UnknownSensorIsRejected) {
  json document = default_document();
  document["disks"][1]["rings"][0]["sensor"] = "hybrid";
  expect_rejected(document, "disks[1].rings[0].sensor", "expected one of pixel");
}

TEST(GeometryValidation, OverlappingRingsAreRejected) {
  json document = default_document();
  document["disks"][0]["rings"][1]["r_min_cm"] = 2.0;
  expect_rejected(document, "disks[0].rings[1].r_min_cm", "without overlap");
}

TEST(GeometryValidation, EfficiencyAboveOneIsRejected) {
  json document = default_document();
  document["barrel_layers"][4]["hit_efficiency"] = 1.2;
  expect_rejected(document, "barrel_layers[4].hit_efficiency", "[0, 1]");
}

TEST(GeometryValidation, BarrelSubdetectorOnDiskIsRejected) {
  json document = default_document();
  document["disks"][0]["subdetector"] = "TBPX";
  expect_rejected(document, "disks[0].subdetector", "disk subdetector");
}

TEST(GeometryValidation, WrongTypeIsRejected) {
  json document = default_document();
  document["magnetic_field_T"] = "strong";
  expect_rejected(document, "magnetic_field_T", "finite number");
}

TEST(GeometryValidation, MissingSensorDescriptionIsRejected) {
  json document = default_document();
  document["sensors"].erase("2s_strip");
  expect_rejected(document, "sensors.2s_strip", "missing field");
}

TEST(GeometryValidation, InvalidJsonNamesFile) {
  const auto path = std::filesystem::temp_directory_path() / "trackpurity_bad_geometry.json";
  std::ofstream(path) << "{ \"name\": ";
  try {
    (void)Geometry::load(path.string());
    FAIL() << "invalid JSON was accepted";
  } catch (const FileError& error) {
    EXPECT_EQ(error.path(), path.string());
    EXPECT_NE(std::string(error.what()).find("invalid JSON"), std::string::npos);
  }
  std::filesystem::remove(path);
}

TEST(GeometryValidation, MissingFileIsReported) {
  EXPECT_THROW((void)Geometry::load("/nonexistent/geometry.json"), FileError);
}

}  // namespace
}  // namespace trackpurity::geometry
