#include "trackpurity/selection/working_points.hpp"

#include <cmath>

#include <fmt/format.h>

#include "trackpurity/core/error.hpp"

namespace trackpurity::selection {

namespace {

bool in_open_unit_interval(double value) { return value > 0.0 && value < 1.0; }

nlohmann::json category_to_json(const CategoryCalibration& category) {
  return {{"genuine_tracks", category.genuine_tracks},
          {"kept_tracks", category.kept_tracks},
          {"recall", category.recall},
          {"recall_interval", {category.recall_interval.low, category.recall_interval.high}}};
}

// Field access that names the field and the expected type in its error.
class JsonReader {
 public:
  explicit JsonReader(const std::string& source) : source_(source) {}

  const nlohmann::json& member(const nlohmann::json& object, const std::string& path,
                               const char* key) const {
    if (!object.is_object() || !object.contains(key)) {
      throw FileError(source_, path + "." + key, "missing field");
    }
    return object.at(key);
  }

  double number(const nlohmann::json& object, const std::string& path, const char* key) const {
    const nlohmann::json& value = member(object, path, key);
    if (!value.is_number()) {
      throw FileError(source_, path + "." + key, "expected a number, got " + value.dump());
    }
    return value.get<double>();
  }

  std::uint64_t count(const nlohmann::json& object, const std::string& path,
                      const char* key) const {
    const nlohmann::json& value = member(object, path, key);
    if (!value.is_number_unsigned()) {
      throw FileError(source_, path + "." + key,
                      "expected a non-negative integer, got " + value.dump());
    }
    return value.get<std::uint64_t>();
  }

  bool boolean(const nlohmann::json& object, const std::string& path, const char* key) const {
    const nlohmann::json& value = member(object, path, key);
    if (!value.is_boolean()) {
      throw FileError(source_, path + "." + key, "expected true or false, got " + value.dump());
    }
    return value.get<bool>();
  }

  CategoryCalibration category(const nlohmann::json& object, const std::string& path,
                               const char* key) const {
    const nlohmann::json& entry = member(object, path, key);
    const std::string entry_path = path + "." + key;
    CategoryCalibration category;
    category.genuine_tracks = count(entry, entry_path, "genuine_tracks");
    category.kept_tracks = count(entry, entry_path, "kept_tracks");
    category.recall = number(entry, entry_path, "recall");
    const nlohmann::json& interval = member(entry, entry_path, "recall_interval");
    if (!interval.is_array() || interval.size() != 2 || !interval[0].is_number() ||
        !interval[1].is_number()) {
      throw FileError(source_, entry_path + ".recall_interval",
                      "expected [low, high], got " + interval.dump());
    }
    category.recall_interval = {interval[0].get<double>(), interval[1].get<double>()};
    return category;
  }

 private:
  const std::string& source_;
};

}  // namespace

void WorkingPoints::validate() const {
  if (!std::isfinite(main_threshold) || !std::isfinite(displaced_threshold)) {
    throw ConfigError(fmt::format("working point thresholds must be finite, got main {} and "
                                  "displaced {}",
                                  main_threshold, displaced_threshold));
  }
  if (!std::isfinite(displaced_dxy_cut) || displaced_dxy_cut < 0.0) {
    throw ConfigError(fmt::format(
        "displaced |dxy| cut must be a finite length >= 0 cm, got {} cm", displaced_dxy_cut));
  }
  if (!in_open_unit_interval(target_recall)) {
    throw ConfigError(
        fmt::format("target recall must be in (0, 1), for example 0.995, got {}", target_recall));
  }
  if (!in_open_unit_interval(confidence_level)) {
    throw ConfigError(fmt::format("confidence level must be in (0, 1), for example 0.6827, got {}",
                                  confidence_level));
  }
}

std::string keep_rule_text(const WorkingPoints& working_points) {
  const std::string main = fmt::format("score >= {:.4g}", working_points.main_threshold);
  if (!working_points.displaced_category) {
    return main;
  }
  return fmt::format("{}, or |dxy_bs| > {:g} cm and score >= {:.4g}", main,
                     working_points.displaced_dxy_cut / units::cm,
                     working_points.displaced_threshold);
}

nlohmann::json to_json(const WorkingPoints& working_points) {
  return {{"main_threshold", working_points.main_threshold},
          {"displaced_threshold", working_points.displaced_threshold},
          {"displaced_dxy_cut_cm", working_points.displaced_dxy_cut / units::cm},
          {"displaced_category", working_points.displaced_category},
          {"target_recall", working_points.target_recall},
          {"calibration",
           {{"confidence_level", working_points.confidence_level},
            {"all", category_to_json(working_points.all)},
            {"displaced", category_to_json(working_points.displaced)},
            {"displaced_origin", category_to_json(working_points.displaced_origin)},
            {"displaced_origin_radius_cm",
             {working_points.displaced_origin_min_radius / units::cm,
              working_points.displaced_origin_max_radius / units::cm}}}}};
}

WorkingPoints working_points_from_json(const nlohmann::json& json, const std::string& source) {
  const JsonReader reader(source);
  const std::string root = "working_points";
  if (!json.is_object()) {
    throw FileError(source, root, "expected an object, got " + json.dump());
  }

  WorkingPoints working_points;
  working_points.main_threshold = reader.number(json, root, "main_threshold");
  working_points.displaced_threshold = reader.number(json, root, "displaced_threshold");
  working_points.displaced_dxy_cut = reader.number(json, root, "displaced_dxy_cut_cm") * units::cm;
  working_points.displaced_category = reader.boolean(json, root, "displaced_category");
  working_points.target_recall = reader.number(json, root, "target_recall");

  const nlohmann::json& calibration = reader.member(json, root, "calibration");
  const std::string calibration_path = root + ".calibration";
  working_points.confidence_level =
      reader.number(calibration, calibration_path, "confidence_level");
  working_points.all = reader.category(calibration, calibration_path, "all");
  working_points.displaced = reader.category(calibration, calibration_path, "displaced");
  // Model files calibrated without the displaced-origin category lack both fields.
  if (calibration.contains("displaced_origin")) {
    working_points.displaced_origin =
        reader.category(calibration, calibration_path, "displaced_origin");
    const nlohmann::json& radius =
        reader.member(calibration, calibration_path, "displaced_origin_radius_cm");
    if (!radius.is_array() || radius.size() != 2 || !radius[0].is_number() ||
        !radius[1].is_number()) {
      throw FileError(source, calibration_path + ".displaced_origin_radius_cm",
                      "expected [min, max] in cm, got " + radius.dump());
    }
    working_points.displaced_origin_min_radius = radius[0].get<double>() * units::cm;
    working_points.displaced_origin_max_radius = radius[1].get<double>() * units::cm;
  }

  try {
    working_points.validate();
  } catch (const ConfigError& error) {
    throw FileError(source, root, error.what());
  }
  return working_points;
}

}  // namespace trackpurity::selection
