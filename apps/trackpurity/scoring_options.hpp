#pragma once

#include <cstddef>
#include <string>

#include <CLI/CLI.hpp>

#include "pipeline.hpp"

// Command-line options shared by score, calibrate and select.

namespace trackpurity::cli {

struct ScoringOptions {
  std::string model_path;
  std::string tracks_path;
  std::string output_path;
  std::string engine = "cpu";
  std::string non_finite = "flag";
  std::size_t threads = 0;

  // The scorer and loop configurations. Throws ConfigError for an unknown
  // engine or policy.
  ScorerConfig scorer_config(bool keep_flags) const {
    ScorerConfig config;
    config.engine = parse_engine_kind(engine);
    config.non_finite = parse_non_finite_policy(non_finite);
    config.keep_flags = keep_flags;
    config.model_source = model_path;
    return config;
  }

  ParallelConfig parallel_config() const {
    ParallelConfig config;
    config.threads = threads;
    config.validate();
    return config;
  }
};

// Adds MODEL, TRACKS, -o, --engine, --threads and --non-finite to `command`.
inline void add_scoring_options(CLI::App& command, ScoringOptions& options,
                                const std::string& output_help) {
  command.add_option("MODEL", options.model_path, "Model file (.safetensors)")->required();
  command.add_option("TRACKS", options.tracks_path, "Event file with reconstructed tracks (.h5)")
      ->required();
  command.add_option("-o,--output", options.output_path, output_help)->required();
  command
      .add_option("--engine", options.engine,
                  "Inference engine: cpu (production), reference (double precision, slow) or "
                  "libtorch")
      ->capture_default_str();
  command
      .add_option("--threads", options.threads,
                  "Threads that score events, 0 for every hardware thread")
      ->capture_default_str();
  command
      .add_option("--non-finite", options.non_finite,
                  "Policy for a track with a NaN or infinite feature: flag (score 0, so not kept at a positive threshold) "
                  "or reject (the command fails naming the event and the track)")
      ->capture_default_str();
}

}  // namespace trackpurity::cli
