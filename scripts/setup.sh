#!/usr/bin/env bash
# Installs the Debian 12 packages trackpurity needs (only those missing),
# then configures and builds it in ./build. Running it again only checks.
#
#   scripts/setup.sh            install, configure, build
#   scripts/setup.sh --no-build install only
#
# Environment: BUILD_DIR (default build), JOBS (default: number of cores),
# CI=true turns compiler warnings into errors.
set -euo pipefail

cd "$(dirname "$0")/.."

packages=(
  cmake g++ pkg-config git
  libhdf5-dev
  libtorch-dev libopenblas0-pthread
  libhwy-dev libtbb-dev libeigen3-dev
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  gnuplot-nox
  googletest libgtest-dev libbenchmark-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo_cmd=(sudo)
  fi
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
else
  echo "setup: all ${#packages[@]} Debian packages are installed"
fi

if [[ ${1:-} == "--no-build" ]]; then
  exit 0
fi

build_dir=${BUILD_DIR:-build}
jobs=${JOBS:-$(nproc)}
werror=OFF
if [[ ${CI:-} == "true" ]]; then
  werror=ON
fi

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DTRACKPURITY_WERROR="$werror"
else
  cmake "$build_dir" -DTRACKPURITY_WERROR="$werror" >/dev/null
fi
cmake --build "$build_dir" -j "$jobs"
echo "setup: build ready in $build_dir (program: $build_dir/trackpurity)"
