#!/usr/bin/env bash
# Builds the real data sets the examples and tests use, from Debian packages
# only, into data/ (or $1): data/digits and data/fashion as image folders,
# data/scenes as COCO detection scenes with masks; see fetch_data.py for
# the others (spam, fortunes, words, nsfwjs).
# Usage: scripts/fetch-data.sh [OUT_DIR] [digits] [fashion] [scenes]
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-data}"
shift || true
scripts/install-deps.sh >/dev/null
/usr/bin/python3 scripts/fetch_data.py "$out" "$@"
