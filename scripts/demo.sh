#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main example: checks and
# plans examples/digits/digits.edl.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
edlc=build/tools/edlc/edlc
echo "\$ edlc check examples/digits/digits.edl"
"$edlc" check examples/digits/digits.edl
echo
echo "\$ edlc plan examples/digits/digits.edl"
"$edlc" plan examples/digits/digits.edl
