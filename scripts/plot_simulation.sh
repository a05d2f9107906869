#!/usr/bin/env bash
# Simulates pileup-200 ttbar (and displaced) events with the trackpurity
# program and draws the plots of docs/simulation.md with gnuplot into docs/img/.
#
# Usage: scripts/plot_simulation.sh [BUILD_DIR] [EVENTS]
#   BUILD_DIR  folder with the trackpurity program (default: build)
#   EVENTS     events per sample (default: 20)
set -euo pipefail

repository="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${repository}/build}"
events="${2:-20}"
program="${build}/trackpurity"
if [[ ! -x "${program}" ]]; then
  echo "error: ${program} not found; build it with: cmake --build ${build} --target trackpurity" >&2
  exit 1
fi
command -v gnuplot >/dev/null || { echo "error: gnuplot not found (Debian package gnuplot-nox)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "${work}"' EXIT
images="${repository}/docs/img"
mkdir -p "${images}"

for process in ttbar displaced; do
  "${program}" simulate -n "${events}" --pileup 200 --process "${process}" --seed 1 \
    -o "${work}/${process}.h5" --metrics-json "${work}/${process}_metrics.json" \
    --histograms "${work}/${process}"
done
histograms="${work}/ttbar"
displaced="${work}/displaced"

gnuplot <<GNUPLOT
set terminal pngcairo size 800,560 font ",11"
set grid

set output "${images}/sim_hits_per_particle_vs_eta.png"
set title "Hits per charged primary particle (pT > 0.9 GeV), pileup-200 ttbar"
set xlabel "{/Symbol h}"
set ylabel "mean number of hits"
set xrange [-4.5:4.5]
set yrange [0:*]
plot "${histograms}/hits_per_particle_vs_eta.dat" using 1:2 with steps lw 2 title "Inner Tracker (pixel)", \
     "" using 1:3 with steps lw 2 title "Outer Tracker", \
     "" using 1:(\$2+\$3) with steps lw 1 dt 2 title "total"

set output "${images}/sim_pt_spectrum.png"
set title "pT of charged primary particles, pileup-200 ttbar"
set xlabel "p_T [GeV]"
set ylabel "dN/dp_T per event [1/GeV]"
set logscale xy
set xrange [0.01:500]
set yrange [1e-4:*]
set format y "10^{%L}"
plot "${histograms}/pt_spectrum.dat" using 1:(\$2 > 0 ? \$2 : 1/0) with steps lw 2 title "all collisions", \
     "" using 1:(\$3 > 0 ? \$3 : 1/0) with steps lw 2 title "signal (ttbar) collision"
unset logscale
set format y "%g"

set output "${images}/sim_eta_spectrum.png"
set title "dN_{ch}/d{/Symbol h} of charged primary particles per collision"
set xlabel "{/Symbol h}"
set ylabel "dN/d{/Symbol h} per collision"
set xrange [-6:6]
set yrange [0:7]
plot "${histograms}/eta_spectrum.dat" using 1:2 with steps lw 2 title "all p_T", \
     "" using 1:(\$3*5) with steps lw 2 title "p_T > 0.9 GeV (x 5)"

set output "${images}/sim_production_radius.png"
set title "Production radius of displaced particles (pileup-200 displaced sample)"
set xlabel "production radius r [cm]"
set ylabel "particles per event and cm"
set xrange [0:120]
set yrange [0.01:*]
set logscale y
plot "${displaced}/production_radius.dat" using 1:(\$2 > 0 ? \$2 : 1/0) with steps lw 2 title "charged decay products", \
     "" using 1:(\$3 > 0 ? \$3 : 1/0) with steps lw 2 title "conversion e^+e^-"
GNUPLOT

echo "metrics (ttbar):"
cat "${work}/ttbar_metrics.json"
echo "plots written to ${images}"
