#pragma once

// The one unit system of trackpurity, the same as CMS software: lengths in cm,
// energies and momenta in GeV, magnetic field in tesla, time in ns, angles in
// radians. A quantity is written as a number times its unit (3 * units::mm)
// or with a literal (3_mm), never as a bare number with an implied unit.

namespace trackpurity::units {

// Length (base: cm).
inline constexpr double cm = 1.0;
inline constexpr double mm = 0.1 * cm;
inline constexpr double um = 1e-4 * cm;
inline constexpr double m = 100.0 * cm;

// Energy and momentum (base: GeV).
inline constexpr double GeV = 1.0;
inline constexpr double MeV = 1e-3 * GeV;
inline constexpr double TeV = 1e3 * GeV;

// Magnetic field (base: tesla).
inline constexpr double T = 1.0;

// Time (base: ns).
inline constexpr double ns = 1.0;
inline constexpr double ps = 1e-3 * ns;

// Angle (base: radian).
inline constexpr double rad = 1.0;
inline constexpr double mrad = 1e-3 * rad;

}  // namespace trackpurity::units

namespace trackpurity::constants {

// Speed of light in cm/ns (CODATA, exact).
inline constexpr double c_light = 29.9792458;

// pT [GeV] = kPtPerTeslaCm * B [T] * R [cm] for a unit charge, from
// p = 0.299792458 * B * R with R in metres (PDG, "Passage of particles through matter").
inline constexpr double kPtPerTeslaCm = 0.299792458e-2;

// Particle masses in GeV (PDG 2024).
inline constexpr double kElectronMass = 0.51099895e-3;
inline constexpr double kMuonMass = 0.1056583755;
inline constexpr double kPionMass = 0.13957039;
inline constexpr double kKaonMass = 0.493677;
inline constexpr double kProtonMass = 0.93827208816;

}  // namespace trackpurity::constants

namespace trackpurity::unit_literals {

// clang-format off
constexpr double operator""_cm(long double v) { return static_cast<double>(v) * units::cm; }
constexpr double operator""_cm(unsigned long long v) { return static_cast<double>(v) * units::cm; }
constexpr double operator""_mm(long double v) { return static_cast<double>(v) * units::mm; }
constexpr double operator""_mm(unsigned long long v) { return static_cast<double>(v) * units::mm; }
constexpr double operator""_um(long double v) { return static_cast<double>(v) * units::um; }
constexpr double operator""_um(unsigned long long v) { return static_cast<double>(v) * units::um; }
constexpr double operator""_m(long double v) { return static_cast<double>(v) * units::m; }
constexpr double operator""_m(unsigned long long v) { return static_cast<double>(v) * units::m; }
constexpr double operator""_GeV(long double v) { return static_cast<double>(v) * units::GeV; }
constexpr double operator""_GeV(unsigned long long v) { return static_cast<double>(v) * units::GeV; }
constexpr double operator""_MeV(long double v) { return static_cast<double>(v) * units::MeV; }
constexpr double operator""_MeV(unsigned long long v) { return static_cast<double>(v) * units::MeV; }
constexpr double operator""_T(long double v) { return static_cast<double>(v) * units::T; }
constexpr double operator""_T(unsigned long long v) { return static_cast<double>(v) * units::T; }
constexpr double operator""_ns(long double v) { return static_cast<double>(v) * units::ns; }
constexpr double operator""_ns(unsigned long long v) { return static_cast<double>(v) * units::ns; }
// clang-format on

}  // namespace trackpurity::unit_literals
