#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "trackpurity/edm/detector_id.hpp"
#include "trackpurity/edm/event.hpp"
#include "trackpurity/sim/transport.hpp"

// Counters and histograms of a simulation run: the numbers of the metrics
// JSON and the data of the plots in docs/simulation.md.

namespace trackpurity::sim {

// A histogram with uniform bins of x (or of log10 x) holding one sum per column.
class Histogram {
 public:
  Histogram(double low, double high, int bins, int columns, bool logarithmic = false);

  // Adds `weight` to column `column` of the bin of x; values outside [low, high) are dropped.
  void fill(double x, int column, double weight = 1.0) noexcept;
  int bins() const noexcept { return bins_; }
  int columns() const noexcept { return columns_; }
  double bin_low(int bin) const noexcept;
  double bin_high(int bin) const noexcept;
  double value(int bin, int column) const noexcept;

 private:
  int bin_of(double x) const noexcept;

  double low_ = 0.0;
  double high_ = 0.0;
  int bins_ = 0;
  int columns_ = 0;
  bool logarithmic_ = false;
  std::vector<double> sums_;
};

class SimulationStatistics {
 public:
  SimulationStatistics();

  // Adds one simulated event.
  void add(const edm::Event& event, const TransportCounters& counters);

  std::uint64_t events() const noexcept { return events_; }
  const TransportCounters& counters() const noexcept { return counters_; }
  // Charged primary particles (process kPrimary) with pT > 0.9 GeV and |eta| < 4, per event.
  double charged_pt_gt_0p9_eta_lt_4_per_event() const noexcept;
  double hits_per_event() const noexcept;
  double hits_per_event(edm::Subdetector subdetector) const noexcept;

  // The metrics document: events, particles_per_event,
  // charged_pt_gt_0p9_eta_lt_4_per_event, hits_per_event,
  // hits_per_event_by_subdetector, seconds_per_event and further counters.
  nlohmann::json metrics(double seconds, int threads) const;

  // Writes the histograms as whitespace-separated text files with a header
  // line each (hits_per_particle_vs_eta.dat, pt_spectrum.dat, eta_spectrum.dat,
  // production_radius.dat) into `directory`, creating it. Throws FileError
  // when a file cannot be written.
  void write_histograms(const std::filesystem::path& directory) const;

 private:
  std::uint64_t events_ = 0;
  std::uint64_t collisions_ = 0;
  std::uint64_t particles_ = 0;
  std::uint64_t charged_primaries_ = 0;
  std::uint64_t charged_primaries_selected_ = 0;  // pT > 0.9 GeV, |eta| < 4
  std::uint64_t charged_secondaries_selected_ = 0;
  std::uint64_t signal_charged_selected_ = 0;  // collision 0 only
  std::array<std::uint64_t, edm::kSubdetectorCount> hits_by_subdetector_{};
  TransportCounters counters_;
  // Columns: particles, pixel hits, Outer Tracker hits (charged primaries, pT > 0.9 GeV).
  Histogram hits_vs_eta_;
  // Columns: all charged primaries, charged primaries of the signal collision.
  Histogram pt_spectrum_;
  // Columns: all charged primaries, those with pT > 0.9 GeV.
  Histogram eta_spectrum_;
  // Columns: charged decay products, conversion electrons, all decay products.
  Histogram production_radius_;
};

}  // namespace trackpurity::sim
