#include "trackpurity/sim/statistics.hpp"

#include <cmath>
#include <fstream>
#include <string>
#include <system_error>

#include "trackpurity/core/error.hpp"
#include "trackpurity/core/units.hpp"

namespace trackpurity::sim {

namespace {

constexpr double kSelectedMinPt = 0.9 * units::GeV;
constexpr double kSelectedMaxEta = 4.0;

std::ofstream open_output(const std::filesystem::path& path) {
  std::ofstream stream(path);
  if (!stream) {
    throw FileError(path.string(), "", "cannot create histogram file");
  }
  return stream;
}

void check_written(std::ofstream& stream, const std::filesystem::path& path) {
  stream.close();
  if (!stream) {
    throw FileError(path.string(), "", "failed to write histogram file");
  }
}

}  // namespace

Histogram::Histogram(double low, double high, int bins, int columns, bool logarithmic)
    : low_(logarithmic ? std::log10(low) : low),
      high_(logarithmic ? std::log10(high) : high),
      bins_(bins),
      columns_(columns),
      logarithmic_(logarithmic),
      sums_(static_cast<std::size_t>(bins) * static_cast<std::size_t>(columns), 0.0) {}

int Histogram::bin_of(double x) const noexcept {
  if (logarithmic_) {
    if (!(x > 0.0)) {
      return -1;
    }
    x = std::log10(x);
  }
  if (!(x >= low_) || !(x < high_)) {
    return -1;
  }
  return std::min(bins_ - 1, static_cast<int>((x - low_) / (high_ - low_) * bins_));
}

void Histogram::fill(double x, int column, double weight) noexcept {
  const int bin = bin_of(x);
  if (bin >= 0) {
    sums_[static_cast<std::size_t>(bin * columns_ + column)] += weight;
  }
}

double Histogram::bin_low(int bin) const noexcept {
  const double edge = low_ + (high_ - low_) * bin / bins_;
  return logarithmic_ ? std::pow(10.0, edge) : edge;
}

double Histogram::bin_high(int bin) const noexcept { return bin_low(bin + 1); }

double Histogram::value(int bin, int column) const noexcept {
  return sums_[static_cast<std::size_t>(bin * columns_ + column)];
}

SimulationStatistics::SimulationStatistics()
    : hits_vs_eta_(-4.5, 4.5, 90, 3),
      pt_spectrum_(0.01, 1000.0, 100, 2, true),
      eta_spectrum_(-6.0, 6.0, 120, 2),
      production_radius_(0.0, 120.0, 120, 3) {}

void SimulationStatistics::add(const edm::Event& event, const TransportCounters& counters) {
  ++events_;
  collisions_ += event.collisions;
  particles_ += event.particles.size();
  counters_.add(counters);

  // 1. Hits per subdetector and per particle (pixel, Outer Tracker).
  std::vector<std::uint16_t> pixel_hits(event.particles.size(), 0);
  std::vector<std::uint16_t> outer_hits(event.particles.size(), 0);
  for (const edm::Hit& hit : event.hits) {
    ++hits_by_subdetector_[static_cast<std::size_t>(hit.subdetector) - 1];
    if (hit.particle < 0 || static_cast<std::size_t>(hit.particle) >= event.particles.size()) {
      continue;
    }
    auto& per_particle = edm::is_inner_tracker(hit.subdetector) ? pixel_hits : outer_hits;
    ++per_particle[static_cast<std::size_t>(hit.particle)];
  }

  // 2. Particle spectra.
  for (const edm::Particle& particle : event.particles) {
    if (particle.charge == 0) {
      if (particle.process == edm::CreationProcess::kDecay) {
        production_radius_.fill(particle.production_radius(), 2);
      }
      continue;
    }
    const double pt = particle.pt();
    const double eta = particle.eta();
    const bool selected = pt > kSelectedMinPt && std::abs(eta) < kSelectedMaxEta;
    if (particle.process != edm::CreationProcess::kPrimary) {
      charged_secondaries_selected_ += selected ? 1 : 0;
      if (particle.process == edm::CreationProcess::kDecay) {
        production_radius_.fill(particle.production_radius(), 0);
        production_radius_.fill(particle.production_radius(), 2);
      } else if (particle.process == edm::CreationProcess::kConversion) {
        production_radius_.fill(particle.production_radius(), 1);
      }
      continue;
    }
    ++charged_primaries_;
    pt_spectrum_.fill(pt, 0);
    if (particle.collision == 0) {
      pt_spectrum_.fill(pt, 1);
    }
    eta_spectrum_.fill(eta, 0);
    if (pt > kSelectedMinPt) {
      eta_spectrum_.fill(eta, 1);
      hits_vs_eta_.fill(eta, 0);
      hits_vs_eta_.fill(eta, 1, pixel_hits[particle.id]);
      hits_vs_eta_.fill(eta, 2, outer_hits[particle.id]);
    }
    if (selected) {
      ++charged_primaries_selected_;
      signal_charged_selected_ += particle.collision == 0 ? 1 : 0;
    }
  }
}

double SimulationStatistics::charged_pt_gt_0p9_eta_lt_4_per_event() const noexcept {
  return events_ == 0 ? 0.0 : static_cast<double>(charged_primaries_selected_) / events_;
}

double SimulationStatistics::hits_per_event() const noexcept {
  std::uint64_t total = 0;
  for (const std::uint64_t count : hits_by_subdetector_) {
    total += count;
  }
  return events_ == 0 ? 0.0 : static_cast<double>(total) / events_;
}

double SimulationStatistics::hits_per_event(edm::Subdetector subdetector) const noexcept {
  const auto count = hits_by_subdetector_[static_cast<std::size_t>(subdetector) - 1];
  return events_ == 0 ? 0.0 : static_cast<double>(count) / events_;
}

nlohmann::json SimulationStatistics::metrics(double seconds, int threads) const {
  const double events = events_ == 0 ? 1.0 : static_cast<double>(events_);
  nlohmann::json by_subdetector = nlohmann::json::object();
  for (int value = 1; value <= edm::kSubdetectorCount; ++value) {
    const auto subdetector = static_cast<edm::Subdetector>(value);
    by_subdetector[std::string(edm::to_string(subdetector))] = hits_per_event(subdetector);
  }
  const double collisions = collisions_ == 0 ? 1.0 : static_cast<double>(collisions_);
  return nlohmann::json{
      {"events", events_},
      {"threads", threads},
      {"seconds", seconds},
      {"seconds_per_event", seconds / events},
      {"collisions_per_event", static_cast<double>(collisions_) / events},
      {"particles_per_event", static_cast<double>(particles_) / events},
      {"charged_primaries_per_event", static_cast<double>(charged_primaries_) / events},
      {"charged_pt_gt_0p9_eta_lt_4_per_event", charged_pt_gt_0p9_eta_lt_4_per_event()},
      {"charged_pt_gt_0p9_eta_lt_4_per_collision",
       static_cast<double>(charged_primaries_selected_) / collisions},
      {"signal_charged_pt_gt_0p9_eta_lt_4_per_event",
       static_cast<double>(signal_charged_selected_) / events},
      {"secondary_charged_pt_gt_0p9_eta_lt_4_per_event",
       static_cast<double>(charged_secondaries_selected_) / events},
      {"hits_per_event", hits_per_event()},
      {"hits_per_event_by_subdetector", by_subdetector},
      {"decays_per_event", static_cast<double>(counters_.decays) / events},
      {"conversions_per_event", static_cast<double>(counters_.conversions) / events},
      {"loopers_stopped_per_event", static_cast<double>(counters_.loopers_stopped) / events},
      {"inactive_module_crossings_per_event",
       static_cast<double>(counters_.inactive_module_crossings) / events},
      {"inefficiency_losses_per_event", static_cast<double>(counters_.inefficiency_losses) / events},
  };
}

void SimulationStatistics::write_histograms(const std::filesystem::path& directory) const {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) {
    throw FileError(directory.string(), "", "cannot create histogram folder: " + error.message());
  }
  const double events = events_ == 0 ? 1.0 : static_cast<double>(events_);
  const double collisions = collisions_ == 0 ? 1.0 : static_cast<double>(collisions_);

  {
    const auto path = directory / "hits_per_particle_vs_eta.dat";
    std::ofstream out = open_output(path);
    out << "# eta  mean_pixel_hits  mean_outer_tracker_hits  particles"
           "  (charged primaries, pT > 0.9 GeV)\n";
    for (int bin = 0; bin < hits_vs_eta_.bins(); ++bin) {
      const double count = hits_vs_eta_.value(bin, 0);
      const double centre = 0.5 * (hits_vs_eta_.bin_low(bin) + hits_vs_eta_.bin_high(bin));
      out << centre << ' ' << (count > 0 ? hits_vs_eta_.value(bin, 1) / count : 0.0) << ' '
          << (count > 0 ? hits_vs_eta_.value(bin, 2) / count : 0.0) << ' ' << count << '\n';
    }
    check_written(out, path);
  }
  {
    const auto path = directory / "pt_spectrum.dat";
    std::ofstream out = open_output(path);
    out << "# pt_GeV  dN/dpT_per_event_all  dN/dpT_per_event_signal  (charged primaries, per GeV)\n";
    for (int bin = 0; bin < pt_spectrum_.bins(); ++bin) {
      const double low = pt_spectrum_.bin_low(bin);
      const double high = pt_spectrum_.bin_high(bin);
      const double width = high - low;
      out << std::sqrt(low * high) << ' ' << pt_spectrum_.value(bin, 0) / width / events << ' '
          << pt_spectrum_.value(bin, 1) / width / events << '\n';
    }
    check_written(out, path);
  }
  {
    const auto path = directory / "eta_spectrum.dat";
    std::ofstream out = open_output(path);
    out << "# eta  dN/deta_per_collision_all  dN/deta_per_collision_pt_gt_0p9  (charged primaries)\n";
    for (int bin = 0; bin < eta_spectrum_.bins(); ++bin) {
      const double low = eta_spectrum_.bin_low(bin);
      const double high = eta_spectrum_.bin_high(bin);
      const double width = high - low;
      out << 0.5 * (low + high) << ' ' << eta_spectrum_.value(bin, 0) / width / collisions << ' '
          << eta_spectrum_.value(bin, 1) / width / collisions << '\n';
    }
    check_written(out, path);
  }
  {
    const auto path = directory / "production_radius.dat";
    std::ofstream out = open_output(path);
    out << "# r_cm  charged_decay_products  conversion_electrons  all_decay_products"
           "  (per event and cm)\n";
    for (int bin = 0; bin < production_radius_.bins(); ++bin) {
      const double low = production_radius_.bin_low(bin);
      const double high = production_radius_.bin_high(bin);
      const double width = high - low;
      out << 0.5 * (low + high) << ' ' << production_radius_.value(bin, 0) / width / events << ' '
          << production_radius_.value(bin, 1) / width / events << ' '
          << production_radius_.value(bin, 2) / width / events << '\n';
    }
    check_written(out, path);
  }
}

}  // namespace trackpurity::sim
