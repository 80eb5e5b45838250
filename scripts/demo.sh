#!/usr/bin/env bash
# Installs what is missing, builds, fetches the digits data set, and runs
# the main example: checks, plans and runs examples/digits/digits.edl.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
/usr/bin/python3 scripts/fetch_data.py data digits
edlc=build/tools/edlc/edlc
echo "\$ edlc check examples/digits/digits.edl"
"$edlc" check examples/digits/digits.edl
echo
echo "\$ edlc plan examples/digits/digits.edl"
"$edlc" plan examples/digits/digits.edl
echo
echo "\$ edlc data examples/digits/digits.edl"
"$edlc" data examples/digits/digits.edl
echo
echo "\$ edlc run examples/digits/digits.edl"
"$edlc" run examples/digits/digits.edl
echo
echo "\$ edlc runs examples/digits/digits.edl"
"$edlc" runs examples/digits/digits.edl
