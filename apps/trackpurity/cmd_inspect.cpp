#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli_common.hpp"
#include "trackpurity/nn/safetensors.hpp"
#include "commands.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/io/file_summary.hpp"

namespace trackpurity::cli {

namespace {

struct InspectOptions {
  std::string path;
  bool json = false;
  std::optional<std::uint64_t> event;
};

// Maximum length of an attribute value in the text output. --json prints every value whole.
constexpr std::size_t kMaxTextAttributeLength = 160;

// Prints a model file's metadata document (features, architecture,
// normalisation, working points, provenance with the training metrics) as
// JSON, or a short text summary. Loading validates the whole file.
int inspect_model_file(const std::string& path, bool json) {
  const nn::Model model = nn::load_model(path);
  const nlohmann::json metadata = model.metadata();
  if (json) {
    fmt::print("{}\n", metadata.dump(2));
    return 0;
  }
  fmt::print("{}: model of the residual MLP family\n", path);
  fmt::print("  architecture      {}\n", nn::describe(model.architecture));
  fmt::print("  parameters        {}\n", model.parameter_count());
  fmt::print("  feature set       {} ({} inputs)\n", model.feature_set, model.feature_names.size());
  for (std::size_t i = 0; i < model.feature_names.size(); ++i) {
    fmt::print("    {:>2} {:<28} range [{:.6g}, {:.6g}]\n", i, model.feature_names[i],
               model.feature_min[i], model.feature_max[i]);
  }
  fmt::print("  working points    {}\n",
             model.working_points.empty() ? std::string("none (run trackpurity calibrate)")
                                          : model.working_points.dump());
  if (model.provenance.contains("metrics")) {
    fmt::print("  metrics           {}\n", model.provenance["metrics"].dump());
  }
  if (model.provenance.contains("command_line")) {
    fmt::print("  trained with      {}\n", model.provenance["command_line"].get<std::string>());
  }
  return 0;
}

std::string format_bytes(std::uint64_t bytes) {
  constexpr double kKiB = 1024.0;
  const auto value = static_cast<double>(bytes);
  if (value < kKiB) {
    return fmt::format("{} B", bytes);
  }
  if (value < kKiB * kKiB) {
    return fmt::format("{:.1f} KiB", value / kKiB);
  }
  if (value < kKiB * kKiB * kKiB) {
    return fmt::format("{:.1f} MiB", value / (kKiB * kKiB));
  }
  return fmt::format("{:.2f} GiB", value / (kKiB * kKiB * kKiB));
}

std::string shorten(const std::string& text) {
  if (text.size() <= kMaxTextAttributeLength) {
    return text;
  }
  return text.substr(0, kMaxTextAttributeLength) +
         fmt::format("... ({} characters, --json prints all)", text.size());
}

void print_summary_text(const io::FileSummary& summary) {
  fmt::print("file: {} ({})\n", summary.path, format_bytes(summary.file_bytes));
  fmt::print("events: {}\n", summary.event_count);
  fmt::print("attributes:\n");
  for (const io::AttributeSummary& attribute : summary.attributes) {
    fmt::print("  {:<16} {:<8} {}\n", attribute.name, attribute.type, shorten(attribute.value));
  }
  fmt::print("tables:\n");
  for (const io::TableSummary& table : summary.tables) {
    fmt::print("  {}: {} rows, {} stored, {} uncompressed\n", table.name, table.rows,
               format_bytes(table.stored_bytes), format_bytes(table.raw_bytes));
    for (const io::ColumnSummary& column : table.columns) {
      fmt::print("    {:<24} {:<8} {:>10} rows {:>11} stored {:>11} uncompressed\n", column.name,
                 column.type, column.rows, format_bytes(column.stored_bytes),
                 format_bytes(column.raw_bytes));
    }
  }
}

nlohmann::ordered_json attribute_json(const io::AttributeSummary& attribute) {
  if (attribute.type == "integer") {
    if (!attribute.value.empty() && attribute.value.front() == '-') {
      return std::stoll(attribute.value);
    }
    return std::stoull(attribute.value);
  }
  if (attribute.type == "float") {
    return std::stod(attribute.value);
  }
  if (attribute.name == "configuration" && nlohmann::json::accept(attribute.value)) {
    return nlohmann::ordered_json::parse(attribute.value);
  }
  return attribute.value;
}

nlohmann::ordered_json summary_json(const io::FileSummary& summary) {
  nlohmann::ordered_json document;
  document["file"] = summary.path;
  document["file_bytes"] = summary.file_bytes;
  document["event_count"] = summary.event_count;
  document["attributes"] = nlohmann::ordered_json::object();
  for (const io::AttributeSummary& attribute : summary.attributes) {
    document["attributes"][attribute.name] = attribute_json(attribute);
  }
  document["tables"] = nlohmann::ordered_json::array();
  for (const io::TableSummary& table : summary.tables) {
    nlohmann::ordered_json columns = nlohmann::ordered_json::array();
    for (const io::ColumnSummary& column : table.columns) {
      columns.push_back({{"name", column.name},
                         {"type", column.type},
                         {"rows", column.rows},
                         {"stored_bytes", column.stored_bytes},
                         {"uncompressed_bytes", column.raw_bytes}});
    }
    document["tables"].push_back({{"name", table.name},
                                  {"rows", table.rows},
                                  {"stored_bytes", table.stored_bytes},
                                  {"uncompressed_bytes", table.raw_bytes},
                                  {"columns", std::move(columns)}});
  }
  return document;
}

int print_event_rows(const std::string& path, std::uint64_t index, bool json) {
  const io::EventReader reader(path);
  io::TableMask event_fields_only;
  event_fields_only.particles = false;
  event_fields_only.hits = false;
  event_fields_only.tracks = false;
  event_fields_only.track_truth = false;
  event_fields_only.track_hits = false;
  event_fields_only.track_hit_pattern = false;
  event_fields_only.vertices = false;
  const edm::Event event = reader.read(index, event_fields_only);
  const auto counts = reader.row_counts(index);

  if (json) {
    nlohmann::ordered_json document;
    document["file"] = path;
    document["event"] = index;
    document["number"] = event.number;
    document["collisions"] = event.collisions;
    document["rows"] = nlohmann::ordered_json::object();
    for (const auto& [table, rows] : counts) {
      document["rows"][table] = rows;
    }
    fmt::print("{}\n", document.dump(2));
    return 0;
  }
  fmt::print("event {} of {} in {}: number {}, {} collisions\n", index, reader.event_count(), path,
             event.number, event.collisions);
  for (const auto& [table, rows] : counts) {
    fmt::print("  {:<18} {:>10} rows\n", table, rows);
  }
  return 0;
}

int run_inspect(const InspectOptions& options) {
  std::error_code status_error;
  if (!std::filesystem::exists(options.path, status_error)) {
    throw FileError(options.path, "", "file not found");
  }
  if (!io::is_hdf5_file(options.path)) {
    if (std::filesystem::path(options.path).extension() == ".safetensors") {
      return inspect_model_file(options.path, options.json);
    }
    throw FileError(options.path, "",
                    "not an HDF5 event file or a .safetensors model file; inspect reads only these");
  }
  if (options.event) {
    return print_event_rows(options.path, *options.event, options.json);
  }
  const io::FileSummary summary = io::summarize_event_file(options.path);
  if (options.json) {
    fmt::print("{}\n", summary_json(summary).dump(2));
  } else {
    print_summary_text(summary);
  }
  return 0;
}

}  // namespace

void register_inspect(CLI::App& app) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* command =
      add_command(app, "inspect",
                  "Print the contents of an event file (events, tables, columns with types, row "
                  "counts and sizes, attributes) or a model file (metadata)",
                  [options]() { return run_inspect(*options); });
  command->add_option("FILE", options->path, "Event file (.h5) or model file (.safetensors)")
      ->required();
  command->add_flag("--json", options->json, "Print JSON instead of text");
  command->add_option("--event", options->event,
                      "Print the rows of each table for event I (0-based index in the file)");
}

}  // namespace trackpurity::cli
