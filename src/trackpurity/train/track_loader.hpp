#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trackpurity/features/feature_set.hpp"
#include "trackpurity/train/dataset.hpp"

namespace trackpurity::train {

struct InputFileSummary {
  std::string path;
  std::uint64_t events = 0;
  std::uint64_t tracks = 0;
};

struct LoadedSample {
  LabelledTracks tracks;
  std::vector<InputFileSummary> files;
  std::uint64_t skipped_non_finite = 0;  // tracks left out for a non-finite feature
};

// Reads truth-labelled tracks from event files and computes `feature_set`
// for each, with the cut-based high-purity decision and, when every file has
// its particle table, the production radius of genuine tracks. Event ids run
// over all files, so the split by event never mixes files' events. Tracks
// with a non-finite feature are left out and counted. Reads at most
// `max_events` events in all (0 = every event). Throws FileError for a file
// without tracks or truth columns, naming the missing column.
LoadedSample load_labelled_tracks(const std::vector<std::string>& paths,
                                  const features::FeatureSet& feature_set,
                                  std::uint64_t max_events = 0);

}  // namespace trackpurity::train
