#include "trackpurity/train/track_loader.hpp"

#include <cmath>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/logging.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/features/extractor.hpp"
#include "trackpurity/features/feature_table.hpp"
#include "trackpurity/io/event_reader.hpp"
#include "trackpurity/selection/cut_classifier.hpp"

namespace trackpurity::train {

LoadedSample load_labelled_tracks(const std::vector<std::string>& paths,
                                  const features::FeatureSet& feature_set,
                                  std::uint64_t max_events) {
  auto logger = logging::get("train");
  LoadedSample sample;
  sample.tracks.feature_names = feature_set.names();
  features::FeatureExtractor extractor(feature_set, {features::NonFinitePolicy::kFlagTrack});
  features::FeatureTable table(feature_set);
  const selection::CutClassifier classifier;
  const features::FeatureSet dxy_set = features::FeatureSet::from_names({"dxy_bs"});
  features::FeatureExtractor dxy_extractor(dxy_set, {features::NonFinitePolicy::kFlagTrack});
  features::FeatureTable dxy_table(dxy_set);

  // Production radii only when every file carries its particles, so that the
  // column covers every row or none.
  bool with_particles = true;
  for (const std::string& path : paths) {
    with_particles = with_particles && io::EventReader(path).available_tables().particles;
  }

  std::uint32_t next_event_id = 0;
  for (const std::string& path : paths) {
    const io::EventReader reader(path);
    const io::TableMask& available = reader.available_tables();
    if (!available.tracks) {
      throw FileError(path, "tracks", "missing table: the file has no tracks; run `trackpurity reconstruct` first");
    }
    if (!available.track_truth) {
      throw FileError(path, "tracks/truth_genuine",
                      "missing column: training needs truth-labelled tracks");
    }
    io::TableMask tables = io::TableMask::tracks_without_hits();
    tables.hits = true;  // the cut classifier finds TEDD PS layers through hit positions
    tables.track_hits = true;
    tables.particles = with_particles;

    InputFileSummary summary{path, 0, 0};
    for (std::uint64_t index = 0; index < reader.event_count(); ++index) {
      if (max_events > 0 && next_event_id >= max_events) {
        break;
      }
      const edm::Event event = reader.read(index, tables);
      const Status status = extractor.compute(event, table);
      const Status dxy_status = dxy_extractor.compute(event, dxy_table);
      if (!status.ok() || !dxy_status.ok()) {
        const Error& error = status.ok() ? dxy_status.error() : status.error();
        throw FileError(path, "tracks", "feature computation failed: " + error.message);
      }
      const std::vector<selection::Quality> qualities = classifier.classify(event);
      const auto flags = table.non_finite_flags();
      const auto dxy = dxy_table.column(0);
      for (std::size_t track = 0; track < event.tracks.size(); ++track) {
        if (flags[track] != 0) {
          ++sample.skipped_non_finite;
          continue;
        }
        for (std::size_t column = 0; column < table.columns(); ++column) {
          sample.tracks.features.push_back(table.column(column)[track]);
        }
        sample.tracks.labels.push_back(event.track_truth[track].genuine ? 1 : 0);
        sample.tracks.event_ids.push_back(next_event_id);
        sample.tracks.abs_dxy.push_back(std::abs(dxy[track]));
        sample.tracks.cut_high_purity.push_back(qualities[track] == selection::Quality::kHighPurity ? 1 : 0);
        if (with_particles) {
          const edm::TrackTruth& truth = event.track_truth[track];
          const bool known = truth.genuine && truth.particle >= 0 &&
                             static_cast<std::size_t>(truth.particle) < event.particles.size();
          sample.tracks.production_radius.push_back(
              known ? static_cast<float>(
                          event.particles[static_cast<std::size_t>(truth.particle)].production_radius() /
                          units::cm)
                    : -1.0F);
        }
        ++summary.tracks;
      }
      ++summary.events;
      ++next_event_id;
    }
    logger->debug("{}: {} events, {} tracks", path, summary.events, summary.tracks);
    sample.files.push_back(summary);
  }
  if (sample.skipped_non_finite > 0) {
    logger->warn("left out {} tracks with a non-finite feature", sample.skipped_non_finite);
  }
  return sample;
}

}  // namespace trackpurity::train
