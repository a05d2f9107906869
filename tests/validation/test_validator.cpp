#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "trackpurity/validation/plot.hpp"
#include "trackpurity/validation/validator.hpp"

namespace trackpurity::validation {
namespace {

using selection::Quality;

// A signal particle with pT 2 GeV at |eta| < 2.4 from the beam line.
edm::Particle prompt_particle(std::uint32_t id, std::uint32_t collision = 0) {
  edm::Particle particle;
  particle.id = id;
  particle.collision = collision;
  particle.pdg_id = 211;
  particle.charge = 1;
  particle.momentum = {2.0, 0.0, 0.5};
  return particle;
}

edm::Track track_with_pt(double pt) {
  edm::Track track;
  track.parameters = edm::parameters_from_state({}, {pt, 0.0, 0.1}, 1);
  track.charge = 1;
  track.hits = {0, 1, 2, 3, 4};
  return track;
}

edm::TrackTruth truth_of(std::int32_t particle) {
  edm::TrackTruth truth;
  truth.particle = particle;
  truth.genuine = particle >= 0;
  truth.shared_fraction = particle >= 0 ? 1.0F : 0.4F;
  return truth;
}

// Four signal particles (0-3) and one pileup particle (4). Tracks:
//   0 -> particle 0 (kept by both selections)
//   1 -> particle 0 again, a duplicate (network drops it)
//   2 -> particle 1 (network keeps it, cut drops it)
//   3 -> particle 4, pileup (both keep it)
//   4 -> fake (network drops it, cut keeps it)
//   5 -> fake (both drop it)
// Particles 2 and 3 have no track.
edm::Event make_event() {
  edm::Event event;
  for (std::uint32_t id = 0; id < 4; ++id) {
    event.particles.push_back(prompt_particle(id));
  }
  event.particles.push_back(prompt_particle(4, 3));
  for (int i = 0; i < 6; ++i) {
    event.tracks.push_back(track_with_pt(1.0 + i));
  }
  event.track_truth = {truth_of(0), truth_of(0), truth_of(1), truth_of(4), truth_of(-1), truth_of(-1)};
  return event;
}

struct Inputs {
  std::vector<float> scores = {0.9F, 0.2F, 0.8F, 0.7F, 0.1F, 0.05F};
  std::vector<std::uint8_t> keep = {1, 0, 1, 1, 0, 0};
  std::vector<Quality> quality = {Quality::kHighPurity, Quality::kHighPurity, Quality::kLoose,
                                  Quality::kHighPurity, Quality::kHighPurity, Quality::kNone};
  std::vector<float> dxy = {0.0F, 0.0F, 0.0F, 0.0F, 0.0F, 0.0F};
};

TEST(Validator, RatesOfHandMadeEvent) {
  const edm::Event event = make_event();
  const Inputs inputs;
  Validator validator;
  validator.add({&event, inputs.scores, inputs.keep, inputs.quality, inputs.dxy});

  const CollectionSummary& all = validator.summary(kAllTracks);
  EXPECT_EQ(all.prompt.tracks, 6U);
  EXPECT_EQ(all.prompt.associated_tracks, 4U);
  EXPECT_DOUBLE_EQ(all.prompt.fake_rate(), 2.0 / 6.0);
  EXPECT_DOUBLE_EQ(all.prompt.duplicate_rate(), 2.0 / 6.0);  // both tracks of particle 0
  EXPECT_DOUBLE_EQ(all.prompt.pileup_rate(), 1.0 / 6.0);
  EXPECT_EQ(all.prompt.selected_particles, 4U);  // the pileup particle is not selected
  EXPECT_DOUBLE_EQ(all.prompt.efficiency(), 0.5);
  EXPECT_DOUBLE_EQ(all.recall(), 1.0);

  const CollectionSummary& network = validator.summary(kNetwork);
  EXPECT_EQ(network.prompt.tracks, 3U);
  EXPECT_DOUBLE_EQ(network.prompt.fake_rate(), 0.0);
  EXPECT_DOUBLE_EQ(network.prompt.duplicate_rate(), 0.0);  // one track of particle 0 remains
  EXPECT_DOUBLE_EQ(network.prompt.efficiency(), 0.5);
  EXPECT_DOUBLE_EQ(network.recall(), 3.0 / 4.0);

  const CollectionSummary& cut = validator.summary(kCutBased);
  EXPECT_EQ(cut.prompt.tracks, 4U);
  EXPECT_DOUBLE_EQ(cut.prompt.fake_rate(), 0.25);
  EXPECT_DOUBLE_EQ(cut.prompt.duplicate_rate(), 0.5);
  EXPECT_DOUBLE_EQ(cut.prompt.efficiency(), 0.25);  // particle 1 lost
  EXPECT_DOUBLE_EQ(cut.recall(), 3.0 / 4.0);
}

TEST(Validator, MetricsCompareAtCutRecall) {
  const edm::Event event = make_event();
  const Inputs inputs;
  Validator validator;
  validator.add({&event, inputs.scores, inputs.keep, inputs.quality, inputs.dxy});
  const nlohmann::json metrics = validator.metrics();
  // Genuine scores 0.9, 0.2, 0.8, 0.7 and fakes 0.1, 0.05: perfectly separated.
  EXPECT_DOUBLE_EQ(metrics["auc"].get<double>(), 1.0);
  EXPECT_DOUBLE_EQ(metrics["dnn"]["recall"].get<double>(), 0.75);
  EXPECT_DOUBLE_EQ(metrics["cut"]["fake_rate"].get<double>(), 0.25);
  // At recall 0.75 the network threshold is 0.7 and keeps no fake.
  EXPECT_DOUBLE_EQ(metrics["dnn_fake_rate_at_cut_recall"].get<double>(), 0.0);
  EXPECT_DOUBLE_EQ(metrics["efficiency_loss_prompt"].get<double>(), 0.0);
  EXPECT_TRUE(metrics.contains("efficiency_loss_displaced"));
}

TEST(Validator, ListsLostParticles) {
  // Particle 0 is prompt, and particle 1 is a K0S decaying 3 cm from the beam line
  // into particles 2 and 3. Tracks:
  //   0 -> particle 0, dropped: particle 0 is lost (prompt)
  //   1 -> particle 2, dropped, score 0.3
  //   2 -> particle 2, dropped, score 0.6: particle 2 is lost (displaced), best score 0.6
  //   3 -> particle 3, kept
  edm::Event event;
  event.number = 17;
  event.particles.push_back(prompt_particle(0));
  edm::Particle kaon;
  kaon.id = 1;
  kaon.pdg_id = 310;
  kaon.momentum = {4.0, 0.0, 0.0};
  event.particles.push_back(kaon);
  for (std::uint32_t id : {2U, 3U}) {
    edm::Particle pion = prompt_particle(id);
    pion.pdg_id = id == 2 ? 211 : -211;
    pion.charge = id == 2 ? 1 : -1;
    pion.parent = 1;
    pion.vertex = {3.0, 0.0, 0.0};
    pion.process = edm::CreationProcess::kDecay;
    event.particles.push_back(pion);
  }
  for (int i = 0; i < 4; ++i) {
    event.tracks.push_back(track_with_pt(2.0));
  }
  event.tracks[2].chi2 = 12.0;
  event.tracks[2].ndof = 8;
  event.track_truth = {truth_of(0), truth_of(2), truth_of(2), truth_of(3)};
  const std::vector<float> scores = {0.4F, 0.3F, 0.6F, 0.9F};
  const std::vector<std::uint8_t> keep = {0, 0, 0, 1};
  const std::vector<Quality> quality(4, Quality::kHighPurity);
  const std::vector<float> dxy = {0.0F, 0.1F, 0.2F, 0.3F};

  Validator validator;
  validator.add({&event, scores, keep, quality, dxy});
  ASSERT_EQ(validator.lost_prompt().size(), 1U);
  EXPECT_EQ(validator.lost_prompt()[0].particle, 0U);
  EXPECT_EQ(validator.lost_prompt()[0].parent_pdg_id, 0);
  ASSERT_EQ(validator.lost_displaced().size(), 1U);
  const LostParticle& lost = validator.lost_displaced()[0];
  EXPECT_EQ(lost.event, 17U);
  EXPECT_EQ(lost.particle, 2U);
  EXPECT_EQ(lost.pdg_id, 211);
  EXPECT_EQ(lost.parent_pdg_id, 310);
  EXPECT_DOUBLE_EQ(lost.production_radius, 3.0);
  EXPECT_FLOAT_EQ(lost.best_score, 0.6F);
  EXPECT_FLOAT_EQ(lost.best_dxy_bs, 0.2F);
  EXPECT_DOUBLE_EQ(lost.best_normalized_chi2, 1.5);
  EXPECT_EQ(lost.best_hits, 5U);

  const nlohmann::json metrics = validator.metrics();
  EXPECT_DOUBLE_EQ(metrics["efficiency_loss_displaced"].get<double>(), 0.5);
  ASSERT_EQ(metrics["lost_particles"]["displaced"].size(), 1U);
  EXPECT_EQ(metrics["lost_particles"]["displaced"][0]["particle"].get<int>(), 2);
  EXPECT_EQ(metrics["lost_particles"]["prompt"][0]["particle"].get<int>(), 0);

  const auto directory = std::filesystem::temp_directory_path() / "trackpurity_lost_particles";
  std::filesystem::remove_all(directory);
  validator.write_report(directory);
  std::ifstream stream(directory / "report.md");
  std::stringstream text;
  text << stream.rdbuf();
  EXPECT_NE(text.str().find("## Displaced particles lost by the network"), std::string::npos);
  EXPECT_NE(text.str().find("| 17 | 2 | 211 | 310 | 2.00 |"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("## Prompt particles lost by the network"), std::string::npos);
  std::filesystem::remove_all(directory);
}

TEST(Validator, InputsOfWrongSizeAreRejected) {
  const edm::Event event = make_event();
  Inputs inputs;
  inputs.keep.pop_back();
  Validator validator;
  EXPECT_THROW(validator.add({&event, inputs.scores, inputs.keep, inputs.quality, inputs.dxy}),
               std::invalid_argument);
  edm::Event without_truth = make_event();
  without_truth.track_truth.clear();
  const Inputs good;
  EXPECT_THROW(validator.add({&without_truth, good.scores, good.keep, good.quality, good.dxy}),
               std::invalid_argument);
}

TEST(Validator, ReportRendersEveryPlot) {
  const edm::Event event = make_event();
  const Inputs inputs;
  ValidationConfig config;
  config.selection_description = "model m.safetensors, keeping score >= 0.5";
  Validator validator(config);
  for (int i = 0; i < 3; ++i) {
    validator.add({&event, inputs.scores, inputs.keep, inputs.quality, inputs.dxy});
  }
  const auto directory = std::filesystem::temp_directory_path() / "trackpurity_validation_report";
  std::filesystem::remove_all(directory);
  validator.write_report(directory);

  std::ifstream stream(directory / "report.md");
  std::stringstream report;
  report << stream.rdbuf();
  int pngs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.path().extension() != ".png") {
      continue;
    }
    ++pngs;
    EXPECT_TRUE(is_png_file(entry.path())) << entry.path();
    EXPECT_GT(std::filesystem::file_size(entry.path()), 1000U) << entry.path();
    EXPECT_NE(report.str().find("(" + entry.path().filename().string() + ")"), std::string::npos)
        << entry.path().filename() << " is not referenced in report.md";
  }
  EXPECT_EQ(pngs, 13);
  EXPECT_TRUE(std::filesystem::exists(directory / "metrics.json"));
  EXPECT_NE(report.str().find("Network selection: model m.safetensors, keeping score >= 0.5."),
            std::string::npos);
  EXPECT_EQ(validator.metrics()["selection"], config.selection_description);

  // Each row of the headline table has its 4 cells: a '|' inside a cell
  // (as in |eta|) must be escaped.
  std::istringstream lines(report.str());
  std::string line;
  int rows = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("| tracking efficiency", 0) != 0) {
      continue;
    }
    ++rows;
    int separators = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      separators += line[i] == '|' && (i == 0 || line[i - 1] != '\\') ? 1 : 0;
    }
    EXPECT_EQ(separators, 5) << line;
  }
  EXPECT_EQ(rows, 3);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace trackpurity::validation
