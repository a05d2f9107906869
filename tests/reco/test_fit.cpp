#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

#include "helix_hits.hpp"
#include "trackpurity/core/units.hpp"
#include "trackpurity/geometry/geometry.hpp"
#include "trackpurity/reco/kalman.hpp"

namespace trackpurity::reco {
namespace {

struct PullSums {
  double sum = 0.0;
  double sum2 = 0.0;
  int count = 0;
  void add(double pull) {
    sum += pull;
    sum2 += pull * pull;
    ++count;
  }
  double mean() const { return sum / count; }
  double width() const { return std::sqrt(sum2 / count - mean() * mean()); }
};

// Fit pulls of single muons without material: the fitted CMS parameters
// against the truth at the true point of closest approach.
TEST(Fit, PullsOfSingleMuonsWithoutMaterial) {
  const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  const DetectorModel detector(geometry);
  std::mt19937_64 random(12345);
  std::uniform_real_distribution<double> eta_distribution(-3.0, 3.0);
  std::uniform_real_distribution<double> phi_distribution(-std::numbers::pi, std::numbers::pi);
  std::uniform_real_distribution<double> inverse_pt(1.0 / (50.0 * units::GeV), 1.0 / (1.0 * units::GeV));
  std::normal_distribution<double> gauss(0.0, 1.0);
  FitConfig config;
  config.material = false;

  std::vector<PullSums> pulls(5);
  int fitted = 0;
  for (int track = 0; track < 10000; ++track) {
    edm::Particle muon;
    muon.id = 0;
    muon.charge = track % 2 == 0 ? 1 : -1;
    muon.pdg_id = -13 * muon.charge;
    const double pt = 1.0 / inverse_pt(random);
    const double eta = eta_distribution(random);
    const double phi = phi_distribution(random);
    muon.momentum = {pt * std::cos(phi), pt * std::sin(phi), pt * std::sinh(eta)};
    muon.vertex = {0.01 * gauss(random), 0.01 * gauss(random), 5.0 * gauss(random)};
    const std::vector<edm::Hit> hits = testing::helix_hits(geometry, muon, random);
    if (hits.size() < 4) {
      continue;
    }
    std::vector<const edm::Hit*> pointers;
    for (const edm::Hit& hit : hits) {
      pointers.push_back(&hit);
    }

    // Start from the true state at the first hit, 2 % off in q/p.
    const Vector6 vertex_free = free_from_momentum(muon.vertex, muon.momentum, muon.charge);
    const auto to_first = path_to_surface(vertex_free, detector.frame(hits.front().layer_id),
                                          detector.field_constant(), Direction::kForward);
    ASSERT_TRUE(to_first.has_value());
    Vector6 start = move_along_helix(vertex_free, *to_first, detector.field_constant());
    start[eFreeQOverP] *= 1.02;

    const auto fit = fit_track(detector, pointers, start, config);
    ASSERT_TRUE(fit.ok()) << fit.error().message;
    ++fitted;

    // Truth at the true perigee.
    const auto to_perigee =
        path_to_surface(vertex_free, SurfaceFrame{}, detector.field_constant(), Direction::kForward);
    ASSERT_TRUE(to_perigee.has_value());
    const Vector6 true_perigee = move_along_helix(vertex_free, *to_perigee, detector.field_constant());
    const edm::TrackParameters truth =
        edm::parameters_from_state(free_position(true_perigee), free_momentum(true_perigee), muon.charge);

    edm::Track reconstructed;
    fill_track(fit.value(), reconstructed);
    for (int i = 0; i < 5; ++i) {
      const auto index = static_cast<edm::ParameterIndex>(i);
      double residual = reconstructed.parameters[index] - truth[index];
      if (index == edm::ePhi) {
        residual = std::remainder(residual, 2.0 * std::numbers::pi);
      }
      ASSERT_GT(reconstructed.covariance(index, index), 0.0);
      pulls[static_cast<std::size_t>(i)].add(residual / std::sqrt(reconstructed.covariance(index, index)));
    }
  }
  EXPECT_GT(fitted, 9000);
  const char* names[] = {"q/p", "lambda", "phi", "dxy", "dsz"};
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_NEAR(pulls[i].mean(), 0.0, 0.05) << names[i];
    EXPECT_NEAR(pulls[i].width(), 1.0, 0.1) << names[i];
  }
}

TEST(Fit, ChiSquareFollowsDegreesOfFreedom) {
  const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  const DetectorModel detector(geometry);
  std::mt19937_64 random(7);
  FitConfig config;
  config.material = false;
  double chi2_sum = 0.0;
  double ndof_sum = 0.0;
  for (int track = 0; track < 500; ++track) {
    edm::Particle muon;
    muon.charge = 1;
    const double phi = 0.01 * track;
    muon.momentum = {5.0 * std::cos(phi), 5.0 * std::sin(phi), 2.0};
    const std::vector<edm::Hit> hits = testing::helix_hits(geometry, muon, random);
    std::vector<const edm::Hit*> pointers;
    for (const edm::Hit& hit : hits) {
      pointers.push_back(&hit);
    }
    const Vector6 vertex_free = free_from_momentum(muon.vertex, muon.momentum, muon.charge);
    const auto to_first = path_to_surface(vertex_free, detector.frame(hits.front().layer_id),
                                          detector.field_constant(), Direction::kForward);
    ASSERT_TRUE(to_first.has_value());
    const auto fit = fit_track(detector, pointers,
                               move_along_helix(vertex_free, *to_first, detector.field_constant()),
                               config);
    ASSERT_TRUE(fit.ok());
    EXPECT_EQ(fit.value().ndof, 2 * static_cast<int>(hits.size()) - 5);
    chi2_sum += fit.value().chi2;
    ndof_sum += fit.value().ndof;
  }
  EXPECT_NEAR(chi2_sum / ndof_sum, 1.0, 0.05);
}

TEST(Fit, RejectsFewerThanThreeHits) {
  const geometry::Geometry geometry = geometry::Geometry::load(geometry::Geometry::default_path());
  const DetectorModel detector(geometry);
  edm::Hit hit;
  std::vector<const edm::Hit*> pointers{&hit, &hit};
  const auto fit = fit_track(detector, pointers, Vector6::Ones(), FitConfig{});
  ASSERT_FALSE(fit.ok());
  EXPECT_EQ(fit.error().code, ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace trackpurity::reco
