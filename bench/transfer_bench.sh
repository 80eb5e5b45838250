#!/usr/bin/env bash
# Transfer learning on small data (issue: transfer learning from real
# pretrained networks), in one run. Fashion-MNIST at 96x96 (grey as RGB),
# N labelled images per class (N = 10, 50, 100; 80% train, 20% val for
# picking the best epoch), a fixed test set of 100 images per class from
# Fashion-MNIST's own test part, three seeds, the same recipe for each
# contender (Adam 0.001, cosine, batch 32, flip; 30 epochs at 10 images per
# class, 12 at 50, 7 at 100: a few hundred steps each):
#   scratch     mobilenet_v2() from random weights
#   fine-tuned  mobilenet_v2(pretrained = nsfwjs's MobileNetV2, imported
#               by edlc import-weights), every block trained, layer_decay 0.8
#   probe       the same weights frozen (freeze = "last"): a linear
#               classifier on the pretrained features
# Test accuracy of each packaged model through `edlc predict`; the table
# gives the median of the seeds and their range.
# Usage: bench/transfer_bench.sh ["SEEDS"] ["IMAGES_PER_CLASS:EPOCHS ..."]
set -euo pipefail
cd "$(dirname "$0")/.."
seeds="${1:-1 2 3}"
sizes="${2:-10:30 50:12 100:7}"
# EDLC: another edlc (a copy, so that rebuilding does not pull the binary from under a long run).
edlc="${EDLC:-$PWD/build/tools/edlc/edlc}"
out=$PWD/bench/out/transfer
rm -rf "$out"
mkdir -p "$out"
[ -f data/fashion/.complete ] || { echo "data/fashion is missing: run scripts/fetch-data.sh"; exit 1; }
[ -f data/nsfwjs/.complete ] || /usr/bin/python3 scripts/fetch_data.py data nsfwjs
"$edlc" import-weights tfjs data/nsfwjs/mobilenet_v2 --out "$out/nsfw.pt" --classes "$(cat data/nsfwjs/classes.txt)"

# folder NAME FILTER FIRST COUNT: COUNT images per class whose names match FILTER, from the FIRST-th on.
folder() {
  local class label
  for class in data/fashion/*/; do
    label=$(basename "$class")
    mkdir -p "$out/$1/$label"
    (ls "$class" | grep "$2" | sort | sed -n "$3,$(($3 + $4 - 1))p") | while read -r f; do
      ln -s "$PWD/$class$f" "$out/$1/$label/$f"
    done
  done
}
folder test '^t10k_' 1 100
find "$out/test" -name '*.png' | sort >"$out/test.txt"

results="$out/results.csv"
echo "per_class,seed,contender,accuracy,seconds" >"$results"
for size in $sizes; do
  n=${size%%:*}
  epochs=${size##*:}
  for seed in $seeds; do
    # Each seed labels other images: the slice starts at (seed - 1) * n.
    name="n${n}_s${seed}"
    folder "$name" '^train_' $(((seed - 1) * n + 1)) "$n"
    cat >"$out/$name.edl" <<EDL
project "transfer-bench" {
  seed     = $seed
  store    = "$name.db"
  threads  = 2
  workflow = { parallel = 1 }
}
dataset few {
  source = image_folder("$out/$name")
  split  = { train = 80%, val = 20% }
  image  = { size = 96x96, channels = 3 }
}
augment flip { flip_horizontal(p = 0.5) }
model scratch { backbone = mobilenet_v2() }
model tuned { backbone = mobilenet_v2(pretrained = "$out/nsfw.pt", layer_decay = 0.8) }
model probe { backbone = mobilenet_v2(pretrained = "$out/nsfw.pt", freeze = "last") }
train scratch_job {
  data = few; augment = flip; model = scratch
  optimizer = adam(lr = 0.001); schedule = cosine(); epochs = $epochs; batch = 32
}
train tuned_job {
  data = few; augment = flip; model = tuned
  optimizer = adam(lr = 0.001); schedule = cosine(); epochs = $epochs; batch = 32
}
train probe_job {
  data = few; augment = flip; model = probe
  optimizer = adam(lr = 0.001); schedule = cosine(); epochs = $epochs; batch = 32
}
deploy scratch_pkg { from = scratch_job; targets = [torchscript()]; package = "$out/$name-scratch.tar.gz" }
deploy tuned_pkg { from = tuned_job; targets = [torchscript()]; package = "$out/$name-tuned.tar.gz" }
deploy probe_pkg { from = probe_job; targets = [torchscript()]; package = "$out/$name-probe.tar.gz" }
EDL
    (cd "$out" && "$edlc" build --quiet "$name.edl" >"$name.log" 2>&1) || { cat "$out/$name.log"; exit 1; }
    for contender in scratch tuned probe; do
      seconds=$(/usr/bin/python3 - "$out/$name.db" "${contender}_job" <<'PY'
import sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute(
    "SELECT SUM(finished - started) FROM tasks WHERE name = ?", ("train:" + sys.argv[2],)).fetchone()
print(f"{row[0] or 0:.0f}")
PY
)
      xargs -a "$out/test.txt" "$edlc" predict "$out/$name-$contender.tar.gz" --json >"$out/$name-$contender.json"
      accuracy=$(/usr/bin/python3 - "$out/$name-$contender.json" <<'PY'
import json, os, sys
answers = json.load(open(sys.argv[1]))
right = sum(a["top"][0]["label"] == os.path.basename(os.path.dirname(a["file"])) for a in answers)
print(f"{right / len(answers):.4f}")
PY
)
      echo "$n,$seed,$contender,$accuracy,$seconds" >>"$results"
      echo "n=$n seed=$seed $contender: test accuracy $accuracy (${seconds} s)"
    done
  done
done

/usr/bin/python3 - "$results" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("\nimages/class | scratch | fine-tuned | probe | fine-tuned - scratch")
for n in sorted({r["per_class"] for r in rows}, key=int):
    acc = {c: sorted(float(r["accuracy"]) for r in rows if r["per_class"] == n and r["contender"] == c)
           for c in ("scratch", "tuned", "probe")}
    cell = lambda v: f"{statistics.median(v):.4f} ({v[0]:.3f}-{v[-1]:.3f})"
    gain = statistics.median(acc["tuned"]) - statistics.median(acc["scratch"])
    print(f"{n:>12} | {cell(acc['scratch'])} | {cell(acc['tuned'])} | {cell(acc['probe'])} | {gain:+.4f}")
PY
