#!/usr/bin/env bash
# Rebuilds the shipped model models/trackpurity_hlt15.safetensors from scratch:
# simulates pileup-200 training, calibration and test samples, reconstructs
# them, trains the network on hlt15 features, calibrates the working points at
# 99.5 % selection efficiency (overall, for displaced tracks and for tracks of
# particles produced 0.5-10 cm from the beam line) and validates on the test
# sample.
#
#   scripts/make_default_model.sh [WORK_DIR]
#
# It takes about an hour on 2 cores, most of it in the reconstruction of the
# 1,070 events. Files already reconstructed in WORK_DIR are reused.
# Environment: THREADS (default: all cores), TRAIN_THREADS (libtorch threads
# of the training, default 2).
set -euo pipefail

cd "$(dirname "$0")/.."
program=$PWD/build/trackpurity
work=${1:-work/default_model}
threads=${THREADS:-0}
mkdir -p "$work" models

# simulate_and_reconstruct NAME EVENTS PROCESS SEED
simulate_and_reconstruct() {
  local name=$1 events=$2 process=$3 seed=$4
  if [[ ! -f "$work/$name.tracks.h5" ]]; then
    "$program" simulate -n "$events" --pileup 200 --process "$process" --seed "$seed" \
      -o "$work/$name.events.h5" --threads "$threads"
    "$program" reconstruct "$work/$name.events.h5" -o "$work/$name.tracks.h5" \
      --threads "$threads" --metrics-json "$work/$name.reco.json"
    rm -f "$work/$name.events.h5"
  fi
}

# Training: 550 ttbar and 110 displaced-process events (about 1.4 million tracks).
simulate_and_reconstruct train_ttbar 250 ttbar 1001
simulate_and_reconstruct train_displaced 50 displaced 1002
simulate_and_reconstruct train2_ttbar 300 ttbar 1003
simulate_and_reconstruct train2_displaced 60 displaced 1004
# Calibration: 310 ttbar events, for at least 2000 genuine displaced tracks.
simulate_and_reconstruct calibration 60 ttbar 3001
simulate_and_reconstruct calibration2 250 ttbar 3002
# Test: 100 ttbar events, never seen by training or calibration.
simulate_and_reconstruct test 100 ttbar 2003

"$program" train "$work/train_ttbar.tracks.h5" "$work/train_displaced.tracks.h5" \
  "$work/train2_ttbar.tracks.h5" "$work/train2_displaced.tracks.h5" \
  -o "$work/trained.safetensors" --features hlt15 --epochs 25 --batch-size 1024 \
  --learning-rate 2e-3 --seed 42 --validation-fraction 0.1 --test-fraction 0.15 \
  --threads "${TRAIN_THREADS:-2}" --metrics-json "$work/train.json"
"$program" calibrate "$work/trained.safetensors" "$work/calibration.tracks.h5" \
  --extra-sample "$work/calibration2.tracks.h5" --target-recall 0.995 \
  -o models/trackpurity_hlt15.safetensors --threads "$threads"
"$program" validate models/trackpurity_hlt15.safetensors "$work/test.tracks.h5" \
  --report "$work/report" --threads "$threads"
"$program" run --input "$work/test.tracks.h5" --metrics-json "$work/run.json" --threads "$threads"
