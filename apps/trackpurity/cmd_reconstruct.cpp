#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/enumerable_thread_specific.h>

#include "cli_common.hpp"
#include "commands.hpp"
#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/progress.hpp"
#include "trackpurity/core/version.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/io/event_writer.hpp"
#include "trackpurity/reco/reconstruction.hpp"
#include "trackpurity/truth/association.hpp"

namespace trackpurity::cli {

namespace {

struct ReconstructOptions {
  std::string input;
  std::string output;
  int threads = 0;
  std::string metrics_json;
  int batch = 0;
};

// The geometry recorded in the file's configuration attribute under
// "geometry", or the shipped geometry when the file records none.
geometry::Geometry geometry_of(const io::EventReader& reader, nlohmann::json& configuration) {
  try {
    configuration = nlohmann::json::parse(reader.attributes().configuration);
  } catch (const nlohmann::json::parse_error& error) {
    throw FileError(reader.path(), "configuration", std::string("expected a JSON document: ") + error.what());
  }
  if (configuration.is_object() && configuration.contains("geometry")) {
    return geometry::Geometry::from_json(configuration["geometry"], reader.path() + ":configuration.geometry");
  }
  logging::get("reco")->warn("{} records no geometry in its configuration; using {}", reader.path(),
                             geometry::Geometry::default_path());
  return geometry::Geometry::load(geometry::Geometry::default_path());
}

// Rate counters of the metrics file.
struct Metrics {
  truth::RateCounts central;
  truth::RateCounts forward;
  truth::RateCounts displaced;
  truth::RateCounts prompt_iteration;
  truth::RateCounts displaced_iteration;
  reco::ReconstructionCounters counters;
  double reconstruction_seconds = 0.0;
};

void add_counters(reco::ReconstructionCounters& total, const reco::ReconstructionCounters& event) {
  total.seeds += event.seeds;
  total.displaced_seeds += event.displaced_seeds;
  total.truncated_seedings += event.truncated_seedings;
  total.candidates += event.candidates;
  total.removed_by_ambiguity += event.removed_by_ambiguity;
  total.failed_fits += event.failed_fits;
  total.tracks += event.tracks;
}

nlohmann::json rates_json(const truth::RateCounts& counts) {
  return {{"tracks", counts.tracks},
          {"fake_rate", counts.fake_rate()},
          {"duplicate_rate", counts.duplicate_rate()},
          {"pileup_rate", counts.pileup_rate()},
          {"tracking_efficiency", counts.efficiency()}};
}

int run_reconstruct(const ReconstructOptions& options) {
  auto logger = logging::get("reco");
  if (options.threads < 0) {
    throw ConfigError("--threads must be 0 (all cores) or positive, found " + std::to_string(options.threads));
  }
  const auto start = std::chrono::steady_clock::now();
  io::EventReader reader(options.input);
  if (!reader.available_tables().hits) {
    throw FileError(options.input, "hits", "expected a simulated file with a hits table");
  }
  nlohmann::json configuration;
  const geometry::Geometry geometry = geometry_of(reader, configuration);
  const reco::ReconstructionConfig config = reco::ReconstructionConfig::defaults();

  configuration["reconstruction"] = {
      {"program", "trackpurity reconstruct"},
      {"prompt_pt_min_GeV", config.prompt_seeding.pt_min},
      {"prompt_max_d0_cm", config.prompt_seeding.max_d0},
      {"prompt_max_z0_cm", config.prompt_seeding.max_z0},
      {"displaced_max_d0_cm", config.displaced_seeding.max_d0},
      {"forward_displaced_max_d0_cm", config.forward_displaced_seeding.max_d0},
      {"prompt_confirmation_hits", config.prompt_seeding.confirmation_hits},
      {"displaced_confirmation_hits", config.displaced_seeding.confirmation_hits},
      {"max_seeds", config.prompt_seeding.max_seeds},
      {"max_chi2", config.prompt_finding.max_chi2},
      {"max_chi2_per_ndof_prompt", config.prompt_finding.max_chi2_per_ndof},
      {"max_chi2_per_ndof_displaced", config.displaced_finding.max_chi2_per_ndof},
      {"max_branches", config.prompt_finding.max_branches},
      {"max_consecutive_missing", config.prompt_finding.max_consecutive_missing},
      {"min_hits_prompt", config.prompt_finding.min_hits},
      {"min_hits_displaced", config.displaced_finding.min_hits},
      {"max_shared_fraction", config.max_shared_fraction}};
  io::EventWriterConfig writer_config;
  writer_config.configuration = configuration.dump();
  writer_config.seed = reader.attributes().seed;
  writer_config.tables = io::TableMask::all();
  io::EventWriter writer(options.output, writer_config);

  std::optional<tbb::global_control> limit;
  if (options.threads > 0) {
    limit.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(options.threads));
  }
  tbb::enumerable_thread_specific<reco::Reconstructor> reconstructors(
      [&] { return reco::Reconstructor(geometry, config); });

  const std::uint64_t total = reader.event_count();
  const std::size_t batch_size = static_cast<std::size_t>(
      options.batch > 0 ? options.batch : 2 * std::max(1, tbb::this_task_arena::max_concurrency()));
  ProgressLine progress("reconstruct", total);
  Metrics metrics;
  std::vector<edm::Event> events;
  std::vector<reco::ReconstructionCounters> counters;
  std::vector<double> seconds;

  // Read a batch on this thread, reconstruct it in parallel, then write it
  // in event order on this thread: HDF5 is not thread-safe.
  for (std::uint64_t first = 0; first < total; first += batch_size) {
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(batch_size, total - first));
    events.clear();
    for (std::size_t i = 0; i < count; ++i) {
      events.push_back(reader.read(first + i, io::TableMask::simulation()));
    }
    counters.assign(count, {});
    seconds.assign(count, 0.0);
    tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) {
      const auto event_start = std::chrono::steady_clock::now();
      counters[i] = reconstructors.local().reconstruct(events[i]);
      events[i].track_truth = truth::associate(events[i]);
      seconds[i] = std::chrono::duration<double>(std::chrono::steady_clock::now() - event_start).count();
      progress.advance();
    });
    for (std::size_t i = 0; i < count; ++i) {
      const edm::Event& event = events[i];
      const auto& truth_list = event.track_truth;
      metrics.central += truth::count_rates(event, truth_list, truth::efficiency_selection(0.0, 2.4));
      metrics.forward += truth::count_rates(event, truth_list, truth::efficiency_selection(2.4, 3.5));
      metrics.displaced += truth::count_rates(event, truth_list, truth::displaced_selection());
      metrics.prompt_iteration += truth::count_rates(
          event, truth_list, truth::efficiency_selection(0.0, 2.4),
          [](const edm::Track& track) { return track.iteration == edm::Iteration::kPrompt; });
      metrics.displaced_iteration += truth::count_rates(
          event, truth_list, truth::efficiency_selection(0.0, 2.4),
          [](const edm::Track& track) { return track.iteration == edm::Iteration::kDisplaced; });
      add_counters(metrics.counters, counters[i]);
      metrics.reconstruction_seconds += seconds[i];
      writer.write(event);
    }
  }
  writer.close();
  progress.finish();

  const double events_done = static_cast<double>(std::max<std::uint64_t>(total, 1));
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  logger->info(
      "reconstructed {} events: {:.1f} tracks/event, efficiency {:.3f} (|eta| < 2.4), fake rate {:.3f}, "
      "duplicate rate {:.3f}, {:.2f} s/event on one core, {} failed fits, {:.1f} s in all",
      total, static_cast<double>(metrics.counters.tracks) / events_done, metrics.central.efficiency(),
      metrics.central.fake_rate(), metrics.central.duplicate_rate(),
      metrics.reconstruction_seconds / events_done, metrics.counters.failed_fits, wall);

  if (!options.metrics_json.empty()) {
    const nlohmann::json document = {
        {"events", total},
        {"tracks_per_event", static_cast<double>(metrics.counters.tracks) / events_done},
        {"tracking_efficiency", metrics.central.efficiency()},
        {"tracking_efficiency_selected_particles", metrics.central.selected_particles},
        {"tracking_efficiency_forward", metrics.forward.efficiency()},
        {"tracking_efficiency_forward_selected_particles", metrics.forward.selected_particles},
        {"displaced_efficiency", metrics.displaced.efficiency()},
        {"displaced_selected_particles", metrics.displaced.selected_particles},
        {"fake_rate", metrics.central.fake_rate()},
        {"duplicate_rate", metrics.central.duplicate_rate()},
        {"pileup_rate", metrics.central.pileup_rate()},
        {"seconds_per_event", metrics.reconstruction_seconds / events_done},
        {"seeds_per_event", static_cast<double>(metrics.counters.seeds) / events_done},
        {"displaced_seeds_per_event", static_cast<double>(metrics.counters.displaced_seeds) / events_done},
        {"truncated_seedings", metrics.counters.truncated_seedings},
        {"failed_fits", metrics.counters.failed_fits},
        {"iterations",
         {{"prompt", rates_json(metrics.prompt_iteration)},
          {"displaced", rates_json(metrics.displaced_iteration)}}},
        {"program_version", std::string(program_version())}};
    write_json_file(options.metrics_json, document);
  }
  return 0;
}

}  // namespace

void register_reconstruct(CLI::App& app) {
  auto options = std::make_shared<ReconstructOptions>();
  CLI::App* command = add_command(
      app, "reconstruct", "Reconstruct tracks from simulated hits and associate them to particles",
      [options]() { return run_reconstruct(*options); });
  command->add_option("EVENTS", options->input, "Simulated event file (HDF5)")->required();
  command->add_option("-o,--output", options->output, "Output event file with tracks, truth and vertices")
      ->required();
  command->add_option("--threads", options->threads, "Worker threads (0: all cores)")->capture_default_str();
  command->add_option("--metrics-json", options->metrics_json,
                      "Write efficiency, fake and duplicate rates and timing to this JSON file");
}

}  // namespace trackpurity::cli
