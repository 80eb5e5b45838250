#!/usr/bin/env bash
# Installs what is missing, builds, fetches the digits data set, and runs
# the main example: checks, plans and runs examples/digits/digits.edl.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/build.sh
/usr/bin/python3 scripts/fetch_data.py data digits
edlc=build/tools/edlc/edlc
show() {  # prints the command as typed, runs it, and leaves a blank line
  echo "\$ edlc $*"
  "$edlc" "$@"
  echo
}
show check examples/digits/digits.edl
show plan examples/digits/digits.edl
show data examples/digits/digits.edl
show run examples/digits/digits.edl
show runs examples/digits/digits.edl
