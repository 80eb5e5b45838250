#!/usr/bin/env bash
# Search on real digits, in one run:
#   1. random, tpe and gp at equal budgets (12 trials each, 5 seeds): the
#      best validation accuracy each found, per seed and the median;
#   2. an augmentation search (randaugment's n and m) on a 20% slice of the
#      training split, next to the no-augmentation and trivialaugment
#      baselines edlc trains at the same budget.
# Usage: bench/search_digits.sh [TRIALS] [SEEDS]
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-12}"
seeds="${2:-5}"
edlc=build/tools/edlc/edlc
out=bench/out/search
rm -rf "$out"
mkdir -p "$out"
data="$PWD/data/digits"

query() {  # query DB SQL
  /usr/bin/python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$1" "$2"
}

hp_job() {  # hp_job NAME STRATEGY SEED
  cat >"$out/$1.edl" <<EDL
project "$1" {
  seed  = $3
  store = "$1.db"
}

dataset digits {
  source = image_folder("$data")
  split  = { train = 80%, val = 20% }
  image  = { size = 16x16, channels = 1 }
}

model net {
  backbone = cnn(channels = [8, 16])
}

space hp {
  lr       = loguniform(0.00001, 1)
  momentum = uniform(0, 0.95)
  batch    = choice(16, 32, 64, 128)
}

train main {
  data      = digits
  model     = net
  optimizer = sgd(lr = hp.lr, momentum = hp.momentum)
  epochs    = 2
  batch     = hp.batch
  search    = $2(objective = maximize(val.accuracy), trials = $trials)
}
EDL
}

echo "1. best val accuracy of $trials trials (2 epochs each), digits 16x16, cnn [8, 16], lr 1e-5..1"
printf '%-8s' strategy
for s in $(seq 1 "$seeds"); do printf ' %8s' "seed $s"; done
printf ' %8s %8s\n' median seconds
for strategy in random tpe gp; do
  values=()
  start=$SECONDS
  for s in $(seq 1 "$seeds"); do
    hp_job "$strategy-$s" "$strategy" "$s"
    "$edlc" run --quiet "$out/$strategy-$s.edl"
    values+=("$(query "$out/$strategy-$s.db" "SELECT json_extract(outputs, '$.best_value') FROM tasks WHERE name = 'trial:main'")")
  done
  seconds=$((SECONDS - start))
  median=$(printf '%s\n' "${values[@]}" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')
  printf '%-8s' "$strategy"
  for v in "${values[@]}"; do printf ' %8.4f' "$v"; done
  printf ' %8.4f %8d\n' "$median" "$seconds"
done

cat >"$out/augment.edl" <<EDL
project "augment" {
  seed  = 5
  store = "augment.db"
}

dataset digits {
  source = image_folder("$data")
  split  = { train = 80%, val = 20% }
  image  = { size = 16x16, channels = 1 }
}

space aug {
  n = int(1, 3)
  m = int(0, 30)
}

augment policy {
  randaugment(n = aug.n, m = aug.m)
}

model net {
  backbone = cnn(channels = [8, 16])
}

train main {
  data      = digits
  augment   = policy
  model     = net
  optimizer = sgd(lr = 0.03, momentum = 0.9)
  epochs    = 12
  batch     = 32
  search    = tpe(objective = maximize(val.accuracy), trials = 10, proxy = { epochs = 12, subset = 20% })
}
EDL
echo
echo "2. augmentation search: tpe, 10 trials over randaugment n, m; 12 epochs on 20% of the training split"
"$edlc" run --quiet "$out/augment.edl"
query "$out/augment.db" "SELECT printf('   none %.4f   trivialaugment %.4f   searched %.4f   (best %s)',
  json_extract(outputs, '$.augment_baselines.none'), json_extract(outputs, '$.augment_baselines.trivialaugment'),
  json_extract(outputs, '$.augment_baselines.searched'), json_extract(outputs, '$.best')) FROM tasks WHERE name = 'trial:main'"
