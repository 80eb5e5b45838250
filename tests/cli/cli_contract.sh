#!/usr/bin/env bash
# The CLI contract: exit codes (0 ok, 1 user errors, 2 usage), where output
# goes, --help for every subcommand, fmt --check, explain, JSON output.
# Usage: cli_contract.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

expect "check example" 0 "$edlc" check "$src/examples/digits/digits.edl"
expect "check with errors" 1 "$edlc" check "$src/tests/golden/input/many-errors.edl"
contains "errors go to stderr with a summary" err "error[E0301]"
expect "missing file" 1 "$edlc" check "$work/none.edl"
contains "missing file is named" err "error[E0208]: cannot read file"
expect "no arguments" 2 "$edlc"
expect "unknown subcommand" 2 "$edlc" frobnicate
expect "unknown option" 2 "$edlc" check --nope x.edl
expect "bad format value" 2 "$edlc" check --format xml x.edl
for cmd in check fmt plan explain; do
  expect "$cmd --help" 0 "$edlc" "$cmd" --help
  contains "$cmd --help prints usage" out "Usage"
done

expect "json diagnostics" 1 "$edlc" check --format json "$src/tests/golden/input/many-errors.edl"
contains "json is on stdout" out '"code": "E0301"'
expect "plan" 0 "$edlc" plan "$src/examples/digits/digits.edl"
contains "plan lists trials" out "trial:main x12"
expect "plan json" 0 "$edlc" plan --format json "$src/examples/digits/digits.edl"
contains "plan json has tasks" out '"kind": "trial"'
expect "plan of a broken project" 1 "$edlc" plan "$src/tests/golden/input/many-errors.edl"

expect "explain" 0 "$edlc" explain E0301
contains "explain prints the text" out "E0301"
expect "explain lower case" 0 "$edlc" explain e0301
expect "explain unknown" 1 "$edlc" explain E9999

expect "data loads the digits" 0 "$edlc" data --no-cache "$src/examples/digits/digits.edl"
contains "data prints classes and splits" out "1,797 images in 10 classes"
expect "data json" 0 "$edlc" data --format json --dataset digits "$src/examples/digits/digits.edl"
contains "data json has the split" out '"train": 1438'
expect "data of an unknown dataset" 1 "$edlc" data --dataset nope "$src/examples/digits/digits.edl"
mkdir -p "$work/proj/images"
printf 'project "p" {}\ndataset d { source = image_folder("imagse") }\nmodel m { backbone = mlp(hidden = 4) }\ntrain t { data = d; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }\n' >"$work/proj/p.edl"
expect "data of a missing folder" 1 "$edlc" data "$work/proj/p.edl"
contains "missing folder is E0807 at the path" err "p.edl:2:35: error[E0807]: data folder 'imagse' does not exist"
contains "with a near name" err "did you mean 'images'?"
expect "run of a missing folder" 1 "$edlc" run "$work/proj/p.edl"
contains "run says the same, at the path" err "p.edl:2:35: error[E0807]: data folder 'imagse' does not exist"

expect "preview writes a grid" 0 "$edlc" preview "$src/examples/digits/digits.edl" --augment light --count 3 --variants 2 --out "$work/grid.png"
contains "preview says what it wrote" out "3 images of dataset 'digits'"
if [ -s "$work/grid.png" ]; then pass=$((pass + 1)); else echo "FAIL preview wrote no PNG"; failures=$((failures + 1)); fi
expect "preview of an unknown augment" 1 "$edlc" preview "$src/examples/digits/digits.edl" --augment nope
expect "preview with a bad --set" 2 "$edlc" preview "$src/examples/digits/digits.edl" --augment light --set m5
mkdir -p "$work/audio-on-images"
printf 'project "p" {}\ndataset d { source = image_folder("%s/data/digits"); image = { size = 8x8, channels = 1 } }\naugment a { time_mask(width = 2) }\nmodel m { backbone = mlp(hidden = 4) }\ntrain t { data = d; augment = a; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }\n' "$src" >"$work/audio-on-images/p.edl"
expect "preview of a sound op on images" 1 "$edlc" preview "$work/audio-on-images/p.edl" --augment a --out "$work/x.png"
contains "it is error E0522 at the step" err "error[E0522]: augment 'a': 'time_mask' works on sound, but train 't' augments images with it"
expect "plan refuses it too" 1 "$edlc" plan "$work/audio-on-images/p.edl"
contains "plan says the same" err "error[E0522]: augment 'a': 'time_mask' works on sound"

printf 'project "p" {seed=1}\n' >"$work/ugly.edl"
expect "fmt --check on unformatted" 1 "$edlc" fmt --check "$work/ugly.edl"
expect "fmt rewrites" 0 "$edlc" fmt "$work/ugly.edl"
expect "fmt --check after fmt" 0 "$edlc" fmt --check "$work/ugly.edl"
contains "fmt output" ugly.edl "  seed = 1"
printf 'project "p" {seed=\n' >"$work/broken.edl"
cp "$work/broken.edl" "$work/broken.orig"
expect "fmt refuses a file with syntax errors" 1 "$edlc" fmt "$work/broken.edl"
if cmp -s "$work/broken.edl" "$work/broken.orig"; then pass=$((pass + 1)); else
  echo "FAIL fmt changed a file it could not parse"; failures=$((failures + 1)); fi

# plan refuses exactly what check refuses: one front end (check's augment
# checks ran in check alone; plan exited 0 on E0702's file).
disagree=""
for f in "$src"/tests/diagnostics/*.edl; do
  "$edlc" check "$f" >/dev/null 2>&1; c=$?
  "$edlc" plan "$f" >/dev/null 2>&1; p=$?
  [ "$c" = "$p" ] || disagree="$disagree $(basename "$f") (check $c, plan $p)"
done
if [ -z "$disagree" ]; then pass=$((pass + 1)); else echo "FAIL check and plan disagree on:$disagree"; failures=$((failures + 1)); fi

echo "$pass passed, $failures failed"
[ "$failures" -eq 0 ]
