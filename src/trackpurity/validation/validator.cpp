#include "trackpurity/validation/validator.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "trackpurity/core/roc.hpp"
#include "trackpurity/validation/plot.hpp"

namespace trackpurity::validation {

namespace {

constexpr std::array<const char*, kCollectionCount> kCollectionTitles = {
    "all tracks", "network selection", "cut-based high purity"};

double ratio(std::uint64_t numerator, std::uint64_t denominator) noexcept {
  return denominator > 0 ? static_cast<double>(numerator) / static_cast<double>(denominator) : 0.0;
}

// Selections of the efficiency plots: the CMS selection with the plotted
// variable's own cut relaxed.
truth::ParticleSelection pt_plot_selection() {
  truth::ParticleSelection selection = truth::efficiency_selection(0.0, 2.4);
  selection.pt_min = 0.5 * units::GeV;
  return selection;
}

truth::ParticleSelection eta_plot_selection() { return truth::efficiency_selection(0.0, 4.0); }

truth::ParticleSelection radius_plot_selection() {
  truth::ParticleSelection selection = truth::efficiency_selection(0.0, 2.4);
  selection.max_production_radius = 60.0 * units::cm;
  selection.signal_only = false;
  return selection;
}

Series ratio_series(const RatioHistogram& histogram, const std::string& title) {
  Series series;
  series.title = title;
  for (std::size_t bin = 0; bin < histogram.bins(); ++bin) {
    if (histogram.total(bin) == 0) {
      continue;
    }
    series.x.push_back(histogram.center(bin));
    series.y.push_back(histogram.ratio(bin));
    series.y_low.push_back(histogram.lower(bin));
    series.y_high.push_back(histogram.upper(bin));
  }
  return series;
}

// Index of the genuine track of `particle` with the highest score, if it has one.
std::optional<std::size_t> best_track_of(const edm::Event& event, std::span<const float> scores,
                                         std::uint32_t particle) {
  std::optional<std::size_t> best;
  for (std::size_t track = 0; track < event.track_truth.size(); ++track) {
    const edm::TrackTruth& truth = event.track_truth[track];
    if (truth.genuine && truth.particle == static_cast<std::int32_t>(particle) &&
        (!best || scores[track] > scores[*best])) {
      best = track;
    }
  }
  return best;
}

// Lists lost particles in report.md, at most kMaxListed of them.
void write_lost_particles(std::ostream& report, const std::string& title,
                          const std::vector<LostParticle>& particles) {
  constexpr std::size_t kMaxListed = 30;
  if (particles.empty()) {
    return;
  }
  report << "## " << title << "\n\n";
  report << fmt::format(
      "{} {} found by some track but by no track the network keeps. The best track is "
      "the particle's genuine track with the highest score.{}\n\n",
      particles.size(), particles.size() == 1 ? "particle" : "particles",
      particles.size() > kMaxListed ? fmt::format(" The first {} are listed; metrics.json has all.", kMaxListed)
                                    : std::string());
  report << "| event | particle | PDG id | parent | pT [GeV] | eta | production radius [cm] | best "
            "score | its dxy_bs [cm] | its chi2/ndof | its hits |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (std::size_t i = 0; i < std::min(particles.size(), kMaxListed); ++i) {
    const LostParticle& lost = particles[i];
    report << fmt::format("| {} | {} | {} | {} | {:.2f} | {:.2f} | {:.2f} | {:.3f} | {:.3f} | {:.2f} | {} |\n",
                          lost.event, lost.particle, lost.pdg_id, lost.parent_pdg_id, lost.pt,
                          lost.eta, lost.production_radius, lost.best_score, lost.best_dxy_bs,
                          lost.best_normalized_chi2, lost.best_hits);
  }
  report << "\n";
}

}  // namespace

std::string_view to_string(Collection collection) noexcept {
  switch (collection) {
    case kAllTracks:
      return "all";
    case kNetwork:
      return "dnn";
    case kCutBased:
      return "cut";
    case kCollectionCount:
      break;
  }
  return "unknown";
}

double CollectionSummary::recall() const noexcept { return ratio(genuine_tracks_kept, genuine_tracks); }

Validator::Validator(ValidationConfig config) : config_(config) {
  for (int c = 0; c < kCollectionCount; ++c) {
    histograms_.push_back(make_histograms());
  }
}

Validator::Histograms Validator::make_histograms() {
  return Histograms{
      RatioHistogram(make_edges(30, 0.5, 100.0, true)),
      RatioHistogram(make_edges(40, -4.0, 4.0)),
      RatioHistogram(make_edges(30, 0.0, 60.0)),
      RatioHistogram(make_edges(30, 0.5, 100.0, true)),
      RatioHistogram(make_edges(40, -4.0, 4.0)),
      RatioHistogram(make_edges(32, -std::numbers::pi, std::numbers::pi)),
      RatioHistogram(make_edges(40, 0.0, 10.0)),
      RatioHistogram(make_edges(30, -0.5, 29.5)),
      RatioHistogram(make_edges(30, 0.5, 100.0, true)),
      RatioHistogram(make_edges(40, -4.0, 4.0)),
  };
}

void Validator::add(const EventInputs& inputs) {
  const edm::Event& event = *inputs.event;
  const std::size_t tracks = event.tracks.size();
  if (inputs.scores.size() != tracks || inputs.keep.size() != tracks ||
      inputs.cut_quality.size() != tracks || inputs.dxy_bs.size() != tracks) {
    throw std::invalid_argument(fmt::format(
        "event {}: validation inputs need one entry per track ({} tracks): {} scores, {} keep "
        "flags, {} cut qualities, {} dxy values",
        event.number, tracks, inputs.scores.size(), inputs.keep.size(), inputs.cut_quality.size(),
        inputs.dxy_bs.size()));
  }
  if (event.track_truth.size() != tracks) {
    throw std::invalid_argument(fmt::format(
        "event {}: {} tracks but {} truth entries; validation needs truth-labelled tracks",
        event.number, tracks, event.track_truth.size()));
  }
  ++events_;

  const std::vector<std::uint8_t> early = truth::decays_inside(event, truth::kEarlyDecayRadius);
  const truth::ParticleSelection prompt = truth::efficiency_selection(0.0, 2.4);
  const truth::ParticleSelection forward = truth::efficiency_selection(2.4, 3.5);
  const truth::ParticleSelection displaced = truth::displaced_selection();
  const truth::ParticleSelection pt_selection = pt_plot_selection();
  const truth::ParticleSelection eta_selection = eta_plot_selection();
  const truth::ParticleSelection radius_selection = radius_plot_selection();

  std::array<std::vector<std::uint32_t>, kCollectionCount> matched_per_collection;
  for (int c = 0; c < kCollectionCount; ++c) {
    const auto collection = static_cast<Collection>(c);
    const auto kept = [&](std::size_t track) {
      switch (collection) {
        case kNetwork:
          return inputs.keep[track] != 0;
        case kCutBased:
          return inputs.cut_quality[track] == selection::Quality::kHighPurity;
        default:
          return true;
      }
    };

    // 1. Genuine tracks of this collection per particle, for matching and duplicates.
    std::vector<std::uint32_t>& matched = matched_per_collection[collection];
    matched.assign(event.particles.size(), 0);
    for (std::size_t track = 0; track < tracks; ++track) {
      const edm::TrackTruth& truth = event.track_truth[track];
      if (kept(track) && truth.genuine && truth.particle >= 0 &&
          static_cast<std::size_t>(truth.particle) < matched.size()) {
        ++matched[static_cast<std::size_t>(truth.particle)];
      }
    }

    // 2. Track-level rates and histograms.
    CollectionSummary& summary = summaries_[collection];
    Histograms& histograms = histograms_[collection];
    truth::RateCounts track_counts;
    for (std::size_t track = 0; track < tracks; ++track) {
      const edm::TrackTruth& truth = event.track_truth[track];
      summary.genuine_tracks += truth.genuine ? 1 : 0;
      if (!kept(track)) {
        continue;
      }
      summary.genuine_tracks_kept += truth.genuine ? 1 : 0;
      const bool associated = truth.genuine && truth.particle >= 0 &&
                              static_cast<std::size_t>(truth.particle) < matched.size();
      const bool duplicate = associated && matched[static_cast<std::size_t>(truth.particle)] > 1;
      const bool pileup =
          associated && event.particles[static_cast<std::size_t>(truth.particle)].collision != 0;
      ++track_counts.tracks;
      track_counts.associated_tracks += associated ? 1 : 0;
      track_counts.duplicate_tracks += duplicate ? 1 : 0;
      track_counts.pileup_tracks += pileup ? 1 : 0;

      const edm::Track& reco = event.tracks[track];
      histograms.fake_pt.fill(reco.pt(), !associated);
      histograms.fake_eta.fill(reco.eta(), !associated);
      histograms.fake_phi.fill(reco.phi(), !associated);
      histograms.fake_dxy.fill(std::abs(inputs.dxy_bs[track]), !associated);
      histograms.fake_hits.fill(static_cast<double>(reco.hits.size()), !associated);
      histograms.duplicate_pt.fill(reco.pt(), duplicate);
      histograms.duplicate_eta.fill(reco.eta(), duplicate);
    }

    // 3. Particle-level efficiencies. Track counts go with the prompt summary.
    truth::RateCounts prompt_counts = track_counts;
    truth::RateCounts forward_counts;
    truth::RateCounts displaced_counts;
    for (const edm::Particle& particle : event.particles) {
      const bool decays_early = early[particle.id] != 0;
      const bool found = matched[particle.id] > 0;
      if (prompt.accepts(event, particle, decays_early)) {
        ++prompt_counts.selected_particles;
        prompt_counts.matched_particles += found ? 1 : 0;
      }
      if (forward.accepts(event, particle, decays_early)) {
        ++forward_counts.selected_particles;
        forward_counts.matched_particles += found ? 1 : 0;
      }
      if (displaced.accepts(event, particle, decays_early)) {
        ++displaced_counts.selected_particles;
        displaced_counts.matched_particles += found ? 1 : 0;
      }
      if (pt_selection.accepts(event, particle, decays_early)) {
        histograms.efficiency_pt.fill(particle.pt(), found);
      }
      if (eta_selection.accepts(event, particle, decays_early)) {
        histograms.efficiency_eta.fill(particle.eta(), found);
      }
      if (radius_selection.accepts(event, particle, decays_early)) {
        histograms.efficiency_radius.fill(particle.production_radius(), found);
      }
    }
    summary.prompt += prompt_counts;
    summary.forward += forward_counts;
    summary.displaced += displaced_counts;
  }

  // 4. Particles found by some track but by none the network keeps.
  const auto& found_by_all = matched_per_collection[kAllTracks];
  const auto& found_by_network = matched_per_collection[kNetwork];
  for (const edm::Particle& particle : event.particles) {
    if (found_by_all[particle.id] == 0 || found_by_network[particle.id] > 0) {
      continue;
    }
    const bool decays_early = early[particle.id] != 0;
    const bool is_prompt = prompt.accepts(event, particle, decays_early);
    const bool is_displaced = displaced.accepts(event, particle, decays_early);
    if (!is_prompt && !is_displaced) {
      continue;
    }
    LostParticle lost;
    lost.event = event.number;
    lost.particle = particle.id;
    lost.pdg_id = particle.pdg_id;
    lost.parent_pdg_id =
        particle.parent >= 0 ? event.particles[static_cast<std::size_t>(particle.parent)].pdg_id : 0;
    lost.pt = particle.pt();
    lost.eta = particle.eta();
    lost.production_radius = particle.production_radius();
    if (const std::optional<std::size_t> best = best_track_of(event, inputs.scores, particle.id)) {
      lost.best_score = inputs.scores[*best];
      lost.best_dxy_bs = inputs.dxy_bs[*best];
      lost.best_normalized_chi2 = event.tracks[*best].normalized_chi2();
      lost.best_hits = static_cast<std::uint32_t>(event.tracks[*best].hits.size());
    }
    if (is_prompt) {
      lost_prompt_.push_back(lost);
    }
    if (is_displaced) {
      lost_displaced_.push_back(lost);
    }
  }

  // 5. Per-track inputs of the ROC curve and the score distributions.
  for (std::size_t track = 0; track < tracks; ++track) {
    scores_.push_back(inputs.scores[track]);
    genuine_.push_back(event.track_truth[track].genuine ? 1 : 0);
    displaced_.push_back(std::abs(inputs.dxy_bs[track]) > config_.displaced_dxy_cut ? 1 : 0);
    quality_.push_back(static_cast<std::uint8_t>(inputs.cut_quality[track]));
  }
}

double Validator::auc() const { return roc::auc(scores_, genuine_); }

double Validator::auc_error() const {
  const auto genuine = static_cast<std::size_t>(std::count(genuine_.begin(), genuine_.end(), 1));
  return roc::auc_error(auc(), genuine, genuine_.size() - genuine);
}

nlohmann::json Validator::metrics() const {
  nlohmann::json document;
  if (!config_.selection_description.empty()) {
    document["selection"] = config_.selection_description;
  }
  document["events"] = events_;
  document["tracks"] = scores_.size();
  document["auc"] = auc();
  document["auc_error"] = auc_error();

  const auto& all = summaries_[kAllTracks];
  for (int c = 0; c < kCollectionCount; ++c) {
    const CollectionSummary& summary = summaries_[c];
    document[std::string(to_string(static_cast<Collection>(c)))] = {
        {"tracks", summary.prompt.tracks},
        {"recall", summary.recall()},
        {"fake_rate", summary.prompt.fake_rate()},
        {"duplicate_rate", summary.prompt.duplicate_rate()},
        {"pileup_rate", summary.prompt.pileup_rate()},
        {"efficiency", summary.prompt.efficiency()},
        {"efficiency_forward", summary.forward.efficiency()},
        {"efficiency_displaced", summary.displaced.efficiency()},
        {"selected_particles", summary.prompt.selected_particles},
        {"selected_particles_forward", summary.forward.selected_particles},
        {"selected_particles_displaced", summary.displaced.selected_particles}};
  }

  // The network at the cut-based selection's recall, on the same tracks.
  const double cut_recall = summaries_[kCutBased].recall();
  double network_fake_rate = 0.0;
  if (cut_recall > 0.0 && !scores_.empty()) {
    network_fake_rate =
        roc::working_point_at_efficiency(scores_, genuine_, cut_recall).background_fraction_of_kept();
  }
  document["dnn_fake_rate_at_cut_recall"] = network_fake_rate;
  const double cut_fake_rate = summaries_[kCutBased].prompt.fake_rate();
  document["fake_reduction_vs_cut_at_cut_recall"] =
      cut_fake_rate > 0.0 ? 1.0 - network_fake_rate / cut_fake_rate : 0.0;
  document["efficiency_loss_prompt"] = all.prompt.efficiency() - summaries_[kNetwork].prompt.efficiency();
  document["efficiency_loss_forward"] = all.forward.efficiency() - summaries_[kNetwork].forward.efficiency();
  document["efficiency_loss_displaced"] =
      all.displaced.efficiency() - summaries_[kNetwork].displaced.efficiency();

  std::uint64_t displaced_genuine = 0;
  for (std::size_t i = 0; i < genuine_.size(); ++i) {
    displaced_genuine += genuine_[i] != 0 && displaced_[i] != 0 ? 1 : 0;
  }
  document["displaced_genuine_tracks"] = displaced_genuine;

  const auto lost_json = [](const std::vector<LostParticle>& particles) {
    nlohmann::json list = nlohmann::json::array();
    for (const LostParticle& lost : particles) {
      list.push_back({{"event", lost.event},
                      {"particle", lost.particle},
                      {"pdg_id", lost.pdg_id},
                      {"parent_pdg_id", lost.parent_pdg_id},
                      {"pt", lost.pt},
                      {"eta", lost.eta},
                      {"production_radius", lost.production_radius},
                      {"best_score", lost.best_score},
                      {"best_dxy_bs", lost.best_dxy_bs},
                      {"best_normalized_chi2", lost.best_normalized_chi2},
                      {"best_hits", lost.best_hits}});
    }
    return list;
  };
  document["lost_particles"] = {{"prompt", lost_json(lost_prompt_)},
                                {"displaced", lost_json(lost_displaced_)}};
  return document;
}

void Validator::write_report(const std::filesystem::path& directory) const {
  std::filesystem::create_directories(directory);
  std::vector<std::pair<std::string, std::string>> figures;  // file, caption

  // 1. Efficiency, fake and duplicate rates against track and particle variables.
  struct RatioPlot {
    std::string file;
    std::string title;
    std::string x_label;
    std::string y_label;
    bool log_x;
    RatioHistogram Histograms::*member;
  };
  const std::vector<RatioPlot> ratio_plots = {
      {"efficiency_pt", "Tracking efficiency vs pT (|eta| < 2.4)", "particle pT [GeV]", "efficiency", true, &Histograms::efficiency_pt},
      {"efficiency_eta", "Tracking efficiency vs eta (pT > 0.9 GeV)", "particle eta", "efficiency", false, &Histograms::efficiency_eta},
      {"efficiency_radius", "Tracking efficiency vs production radius", "production radius [cm]", "efficiency", false, &Histograms::efficiency_radius},
      {"fake_rate_pt", "Fake rate vs pT", "track pT [GeV]", "fake rate", true, &Histograms::fake_pt},
      {"fake_rate_eta", "Fake rate vs eta", "track eta", "fake rate", false, &Histograms::fake_eta},
      {"fake_rate_phi", "Fake rate vs phi", "track phi [rad]", "fake rate", false, &Histograms::fake_phi},
      {"fake_rate_dxy", "Fake rate vs |dxy|", "track |dxy_bs| [cm]", "fake rate", false, &Histograms::fake_dxy},
      {"fake_rate_hits", "Fake rate vs number of hits", "valid hits", "fake rate", false, &Histograms::fake_hits},
      {"duplicate_rate_pt", "Duplicate rate vs pT", "track pT [GeV]", "duplicate rate", true, &Histograms::duplicate_pt},
      {"duplicate_rate_eta", "Duplicate rate vs eta", "track eta", "duplicate rate", false, &Histograms::duplicate_eta},
  };
  for (const RatioPlot& plot : ratio_plots) {
    PlotSpec spec;
    spec.title = plot.title;
    spec.x_label = plot.x_label;
    spec.y_label = plot.y_label;
    spec.log_x = plot.log_x;
    spec.y_range = std::make_pair(0.0, 1.05);
    for (int c = 0; c < kCollectionCount; ++c) {
      spec.series.push_back(ratio_series(histograms_[c].*plot.member, kCollectionTitles[c]));
    }
    render_png(spec, directory / (plot.file + ".png"));
    figures.emplace_back(plot.file + ".png", plot.title);
  }

  // 2. ROC curve with the cut-based working points marked.
  {
    PlotSpec spec;
    spec.title = fmt::format("ROC of the network (AUC {:.5f} +- {:.5f})", auc(), auc_error());
    spec.x_label = "genuine-track efficiency";
    spec.y_label = "fake rejection";
    spec.x_range = std::make_pair(0.8, 1.0);
    spec.y_range = std::make_pair(0.0, 1.0);
    Series curve;
    curve.title = "network";
    curve.style = Series::Style::kLines;
    for (const roc::RocPoint& point : roc::curve(scores_, genuine_, 400)) {
      curve.x.push_back(point.signal_efficiency);
      curve.y.push_back(point.background_rejection);
    }
    spec.series.push_back(curve);
    const std::uint64_t genuine_total = static_cast<std::uint64_t>(std::count(genuine_.begin(), genuine_.end(), 1));
    const std::uint64_t fake_total = genuine_.size() - genuine_total;
    for (const auto level : {selection::Quality::kLoose, selection::Quality::kTight, selection::Quality::kHighPurity}) {
      std::uint64_t genuine_kept = 0;
      std::uint64_t fake_kept = 0;
      for (std::size_t i = 0; i < quality_.size(); ++i) {
        if (quality_[i] >= static_cast<std::uint8_t>(level)) {
          (genuine_[i] != 0 ? genuine_kept : fake_kept) += 1;
        }
      }
      spec.markers.push_back({std::string("cut ") + std::string(selection::to_string(level)),
                              ratio(genuine_kept, genuine_total), 1.0 - ratio(fake_kept, fake_total)});
    }
    render_png(spec, directory / "roc.png");
    figures.emplace_back("roc.png", "ROC curve with the cut-based working points");
  }

  // 3. Score distributions of genuine and fake tracks, prompt and displaced.
  for (const bool displaced : {false, true}) {
    PlotSpec spec;
    spec.title = displaced ? "Scores of displaced tracks (|dxy_bs| > cut)" : "Scores of prompt tracks";
    spec.x_label = "network score";
    spec.y_label = "fraction of tracks";
    spec.log_y = true;
    for (const bool genuine : {true, false}) {
      Histogram histogram(make_edges(50, 0.0, 1.0 + 1e-6));
      for (std::size_t i = 0; i < scores_.size(); ++i) {
        if ((displaced_[i] != 0) == displaced && (genuine_[i] != 0) == genuine) {
          histogram.fill(scores_[i]);
        }
      }
      Series series;
      series.title = genuine ? "genuine" : "fake";
      series.style = Series::Style::kSteps;
      const double total = histogram.integral();
      for (std::size_t bin = 0; bin < histogram.bins(); ++bin) {
        if (histogram.content(bin) > 0) {
          series.x.push_back(histogram.center(bin));
          series.y.push_back(histogram.content(bin) / total);
        }
      }
      spec.series.push_back(series);
    }
    const std::string file = displaced ? "scores_displaced.png" : "scores_prompt.png";
    render_png(spec, directory / file);
    figures.emplace_back(file, spec.title);
  }

  // 4. metrics.json and report.md.
  const nlohmann::json document = metrics();
  {
    std::ofstream stream(directory / "metrics.json");
    stream << document.dump(2) << '\n';
    if (!stream) {
      throw std::runtime_error("cannot write " + (directory / "metrics.json").string());
    }
  }
  std::ofstream report(directory / "report.md");
  report << "# Track selection validation\n\n";
  if (!config_.selection_description.empty()) {
    report << "Network selection: " << config_.selection_description << ".\n\n";
  }
  report << fmt::format("{} events, {} tracks. AUC of the network: {:.5f} +- {:.5f}.\n\n", events_,
                        scores_.size(), auc(), auc_error());
  report << "| | all tracks | network | cut-based high purity |\n|---|---|---|---|\n";
  const auto row = [&](const std::string& name, auto value) {
    report << "| " << name;
    for (int c = 0; c < kCollectionCount; ++c) {
      report << " | " << value(summaries_[c]);
    }
    report << " |\n";
  };
  row("tracks", [](const CollectionSummary& s) { return fmt::format("{}", s.prompt.tracks); });
  row("selection recall (genuine tracks kept)", [](const CollectionSummary& s) { return fmt::format("{:.4f}", s.recall()); });
  row("fake rate", [](const CollectionSummary& s) { return fmt::format("{:.4f}", s.prompt.fake_rate()); });
  row("duplicate rate", [](const CollectionSummary& s) { return fmt::format("{:.2g}", s.prompt.duplicate_rate()); });
  row("pileup rate", [](const CollectionSummary& s) { return fmt::format("{:.4f}", s.prompt.pileup_rate()); });
  row("tracking efficiency, \\|eta\\| < 2.4", [](const CollectionSummary& s) { return fmt::format("{:.4f}", s.prompt.efficiency()); });
  row("tracking efficiency, 2.4 < \\|eta\\| < 3.5", [](const CollectionSummary& s) { return fmt::format("{:.4f}", s.forward.efficiency()); });
  row("tracking efficiency, displaced (K0S, Lambda daughters)", [](const CollectionSummary& s) { return fmt::format("{:.4f}", s.displaced.efficiency()); });
  report << fmt::format(
      "\nAt the cut-based selection's recall ({:.4f}) the network's fake rate is {:.2g}, against "
      "{:.4f} for the cut-based selection ({:.1f} % fewer fakes).\n",
      summaries_[kCutBased].recall(), document["dnn_fake_rate_at_cut_recall"].get<double>(),
      summaries_[kCutBased].prompt.fake_rate(),
      100.0 * document["fake_reduction_vs_cut_at_cut_recall"].get<double>());
  report << fmt::format(
      "Tracking-efficiency loss from the network selection: {:.4f} (prompt), {:.4f} (displaced).\n\n",
      document["efficiency_loss_prompt"].get<double>(), document["efficiency_loss_displaced"].get<double>());
  write_lost_particles(report, "Displaced particles lost by the network", lost_displaced_);
  write_lost_particles(report, "Prompt particles lost by the network", lost_prompt_);
  report << "## Definitions\n\n"
            "- A track is genuine (associated) when one simulated particle made more than 75 % of "
            "its valid hits; a 3-hit track must share all 3 (CMS QuickTrackAssociatorByHits).\n"
            "- Tracking efficiency counts particles: matched selected particles / selected particles. "
            "Selection: charged, signal collision, pT > 0.9 GeV, production radius < 2.5 cm, |z| < 30 cm "
            "(CMS MultiTrackValidator). Displaced: charged daughters of K0S and Lambda produced at 0.5-10 cm, "
            "pT > 0.9 GeV, |eta| < 2.4, any collision.\n"
            "- Selection recall counts tracks: genuine tracks kept / genuine tracks. It is the selection "
            "efficiency of the working points, not the tracking efficiency.\n"
            "- Fake rate = 1 - associated tracks / all tracks; duplicate rate = tracks whose particle is "
            "associated to more than one track of the same collection / all tracks; pileup rate = tracks "
            "associated to a pileup particle / all tracks.\n"
            "- Uncertainties on the plots are 68 % Wilson score intervals; the AUC uncertainty follows "
            "Hanley and McNeil (1982).\n\n";
  report << "## Plots\n\n";
  for (const auto& [file, caption] : figures) {
    report << "### " << caption << "\n\n![" << caption << "](" << file << ")\n\n";
  }
  if (!report) {
    throw std::runtime_error("cannot write " + (directory / "report.md").string());
  }
}

}  // namespace trackpurity::validation
