#!/usr/bin/env bash
# Installs the Debian 12 packages EDL builds, tests and benchmarks with.
# Idempotent: packages already present are skipped, and apt is not touched
# at all when nothing is missing. Works as root or through sudo.
set -euo pipefail

packages=(
  # build
  g++ cmake ninja-build ccache pkg-config
  # parser generator (tool 4.7.2) and runtime (4.9)
  antlr4 libantlr4-runtime-dev
  # compiler back ends and runtime
  llvm-14-dev libhalide14-0-dev libtorch-dev libgloo-dev libopenblas0-pthread
  libsqlite3-dev libopencv-dev libsndfile1-dev
  # small libraries
  nlohmann-json3-dev libcli11-dev libcpp-httplib-dev libxxhash-dev
  # Pascal VOC annotations (XML); label-map PNGs with their palette indices
  libtinyxml2-dev libpng-dev
  # tests: Catch2 v2; clang with libFuzzer for the fuzz target
  catch2 clang libclang-rt-14-dev
  # data loading: audio resampling
  libsamplerate0-dev
  # real data sets built by scripts/fetch-data.sh (fortunes: short texts by
  # topic; espeak-ng: spoken words)
  python3 python3-pil python3-sklearn python3-skimage dataset-fashion-mnist fortunes espeak-ng
  # the Python peers of the benchmarks and of the TorchScript test
  python3-torch python3-torchvision python3-torchaudio python3-optuna
  # the editor tests (vim; Node below)
  vim
  # the report test loads `edlc report` pages in a real browser (with a
  # font, so its screenshots show text)
  chromium fonts-liberation
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node runs the LSP client and TextMate grammar tests; a machine without it
# gets Debian's.
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
else
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
      exit 1
    fi
    as_root=(sudo)
  fi
  echo "install-deps: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The VS Code extension's test packages, pinned by its package-lock.json;
# reinstalled only when the lock file changed.
ext="$(dirname "$0")/../editors/vscode"
if [ ! -f "$ext/node_modules/.package-lock.json" ] || [ "$ext/package-lock.json" -nt "$ext/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in editors/vscode"
  (cd "$ext" && npm ci --no-audit --no-fund --loglevel=error)
fi
