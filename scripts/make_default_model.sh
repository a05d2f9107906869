#!/usr/bin/env bash
# Rebuilds the shipped model models/trackpurity_hlt15.safetensors from scratch:
# simulates pileup-200 training, calibration and test samples, reconstructs
# them, trains the network on hlt15 features, calibrates the working points at
# 99.5 % selection efficiency and validates on the test sample.
#
#   scripts/make_default_model.sh [WORK_DIR]
#
# Environment: TRAIN_TTBAR_EVENTS, TRAIN_DISPLACED_EVENTS, CALIBRATION_EVENTS,
# TEST_EVENTS (event counts), THREADS (default: all cores), TRAIN_THREADS
# (libtorch threads of the training, default 2).
set -euo pipefail

cd "$(dirname "$0")/.."
program=$PWD/build/trackpurity
work=${1:-work/default_model}
threads=${THREADS:-0}
mkdir -p "$work" models

train_ttbar=${TRAIN_TTBAR_EVENTS:-250}
train_displaced=${TRAIN_DISPLACED_EVENTS:-50}
calibration=${CALIBRATION_EVENTS:-60}
test_events=${TEST_EVENTS:-12}

simulate_and_reconstruct() {  # name events process seed
  local name=$1 events=$2 process=$3 seed=$4
  if [[ ! -f "$work/$name.tracks.h5" ]]; then
    "$program" simulate -n "$events" --pileup 200 --process "$process" --seed "$seed" \
      -o "$work/$name.events.h5" --threads "$threads"
    "$program" reconstruct "$work/$name.events.h5" -o "$work/$name.tracks.h5" \
      --threads "$threads" --metrics-json "$work/$name.reco.json"
    rm -f "$work/$name.events.h5"
  fi
}

simulate_and_reconstruct train_ttbar "$train_ttbar" ttbar 1001
simulate_and_reconstruct train_displaced "$train_displaced" displaced 1002
simulate_and_reconstruct calibration "$calibration" ttbar 3001
simulate_and_reconstruct test "$test_events" ttbar 2001

"$program" train "$work/train_ttbar.tracks.h5" "$work/train_displaced.tracks.h5" \
  -o "$work/trained.safetensors" --features hlt15 --epochs 25 --batch-size 1024 \
  --learning-rate 2e-3 --seed 42 --threads "${TRAIN_THREADS:-2}" --metrics-json "$work/train.json"
"$program" calibrate "$work/trained.safetensors" "$work/calibration.tracks.h5" \
  --target-recall 0.995 -o models/trackpurity_hlt15.safetensors --threads "$threads"
"$program" validate models/trackpurity_hlt15.safetensors "$work/test.tracks.h5" \
  --report "$work/report" --threads "$threads"
"$program" run --input "$work/test.tracks.h5" --metrics-json "$work/run.json" --threads "$threads"
