#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "trackpurity/core/units.hpp"
#include "trackpurity/edm/event.hpp"

namespace trackpurity::selection {

// Quality levels of the CMS cut classifier, ordered loosest first.
enum class Quality : std::uint8_t {
  kNone = 0,
  kLoose = 1,
  kTight = 2,
  kHighPurity = 3,
};

std::string_view to_string(Quality quality) noexcept;

// Cuts of one quality level. Member names follow the parameters of CMSSW
// TrackCutClassifier; defaults are its loose level in hltInitialStepTrackCutClassifier
// (CMSSW HLTrigger/Configuration/python/HLT_75e33/modules/hltInitialStepTrackCutClassifier_cfi.py).
struct QualityCuts {
  // minNdof: minimum number of degrees of freedom of the fit.
  double min_ndof = 1e-5;
  // minLayers: minimum tracker layers with a measurement.
  int min_layers = 3;
  // min3DLayers: minimum layers with a 3D measurement (pixel and PS layers).
  int min_3d_layers = 3;
  // minPixelHits: minimum valid Inner-Tracker hits.
  int min_pixel_hits = 0;
  // maxLostLayers: maximum layers without measurement between the first and last valid hit.
  int max_lost_layers = 3;
  // maxChi2n: maximum chi2 / ndof / (layers with measurement).
  double max_chi2n = 2.0;
  // maxChi2: maximum chi2 / ndof.
  double max_chi2 = 9999.0;
  // dz_par1: |dz| < (dz_error_factor * layers)^exponent * dz_error.
  double dz_error_factor = 0.9;
  // dz_par2: |dz| < (dz_resolution_factor * layers)^exponent * sigma_dz.
  double dz_resolution_factor = 0.8;
  // dr_par1: |dxy| < (dxy_error_factor * layers)^exponent * dxy_error.
  double dxy_error_factor = 0.8;
  // dr_par2: |dxy| < (dxy_resolution_factor * layers)^exponent * sigma_d0.
  double dxy_resolution_factor = 0.6;
};

// Configuration of the cut-based high-purity baseline, equivalent to the CMS
// HLT classifier hltInitialStepTrackCutClassifier.
struct CutClassifierConfig {
  QualityCuts loose{};
  QualityCuts tight{.min_pixel_hits = 0,
                    .max_lost_layers = 2,
                    .max_chi2n = 1.4,
                    .max_chi2 = 25.0,
                    .dz_error_factor = 0.8,
                    .dz_resolution_factor = 0.7,
                    .dxy_error_factor = 0.7,
                    .dxy_resolution_factor = 0.5};
  QualityCuts high_purity{.min_pixel_hits = 3,
                          .max_lost_layers = 2,
                          .max_chi2n = 1.2,
                          .max_chi2 = 16.0,
                          .dz_error_factor = 0.7,
                          .dz_resolution_factor = 0.55,
                          .dxy_error_factor = 0.6,
                          .dxy_resolution_factor = 0.45};
  // dz_exp and dr_exp: power of (factor * layers) in the impact-parameter cuts.
  int layer_exponent = 4;
  // d0err: constant term of the nominal d0 resolution
  // sigma_d0 = sqrt(d0err^2 + (d0err_par / pT)^2); sigma_dz = sigma_d0 * p / pT.
  double d0_resolution = 0.003 * units::cm;
  // d0err_par: pT term of the nominal d0 resolution [cm GeV].
  double d0_resolution_pt_term = 0.001 * units::cm * units::GeV;
  // minNVtxTrk: vertices with fewer tracks are not candidates for the closest vertex.
  std::uint32_t min_vertex_tracks = 3;
  // TEDD disks are PS modules below this transverse radius and 2S above.
  // NOTE: 60 cm is an estimate of the PS/2S boundary of the Phase-2 TEDD.
  double tedd_ps_max_radius = 60.0 * units::cm;

  // Throws ConfigError when a factor or resolution is negative or not finite,
  // the exponent is negative, or a count is negative.
  void validate() const;
};

// Per-track quantities that the cuts read.
struct CutInputs {
  int layers = 0;              // tracker layers with measurement
  int layers_3d = 0;           // pixel layers plus PS layers with measurement
  int pixel_hits = 0;          // valid Inner-Tracker hits
  int lost_layers = 0;         // layers without measurement
  double ndof = 0.0;
  double normalized_chi2 = 0.0;  // chi2 / ndof
  double abs_dz = 0.0;         // |dz| to the closest vertex [cm]
  double abs_dxy = 0.0;        // |dxy| to the closest vertex [cm]
  double dz_error = 0.0;       // [cm]
  double dxy_error = 0.0;      // [cm]
  double pt = 0.0;             // [GeV]
  double p = 0.0;              // [GeV]
};

// The cut-based baseline. Each cut gives the tightest level whose requirement
// passes, and a track's quality is the minimum over cuts. Counts and chi2 cuts
// are inclusive (>= a minimum, <= a maximum); the dz and dxy cuts are strict
// (< the limit), as in CMSSW TrackCutClassifier.
class CutClassifier {
 public:
  explicit CutClassifier(CutClassifierConfig config = {});

  const CutClassifierConfig& config() const noexcept { return config_; }

  Quality classify(const CutInputs& inputs) const noexcept;

  // Gathers the inputs of `track` from `event`: impact parameters to the
  // vertex with the smallest |dz| among those with at least min_vertex_tracks
  // tracks, else to the beam spot. TEDD disks count as 3D layers through the
  // track's hits in event.hits; a track without hit ids gets none from TEDD.
  CutInputs inputs(const edm::Track& track, const edm::Event& event) const;

  // Writes the quality of every track of `event` into `qualities`. Throws
  // std::invalid_argument when its size differs from the track count.
  void classify(const edm::Event& event, std::span<Quality> qualities) const;
  std::vector<Quality> classify(const edm::Event& event) const;

 private:
  CutClassifierConfig config_;
};

}  // namespace trackpurity::selection
