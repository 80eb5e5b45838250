#!/usr/bin/env bash
# Data-parallel training on a Fashion-MNIST slice (2,000 images):
#  - two workers with dense exchange end with the weights one process
#    trains on the same batches (up to float rounding), and record the
#    same epochs once, from rank 0;
#  - DGC and PowerSGD train and learn, and say how much less they sent;
#  - a DGC training killed after a checkpoint continues to the weights of
#    one never stopped (each rank's residuals are kept with the checkpoint);
#  - a worker killed in the middle stops the training within seconds with
#    an error naming it, and the next `edlc run` continues from the last
#    checkpoint;
#  - across machines (here: processes on loopback) `edlc run --master` waits
#    for `edlc worker`; a worker that cannot reach its master gives up with
#    a clear error;
#  - the distributed diagnostics: E0524 and what does not run yet (E0901).
# Usage: distributed.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

[ -f "$src/data/fashion/.complete" ] || { echo "data/fashion is missing: run scripts/fetch-data.sh"; exit 1; }
cd "$work"
for class in "$src"/data/fashion/*/; do
  name=$(basename "$class")
  mkdir -p "slice/$name"
  ls "$class" | sort | sed -n 1,200p | while read -r f; do ln -s "$class$f" "slice/$name/$f"; done
done

# project NAME EPOCHS DISTRIBUTED [MODEL]
project() {
  mkdir -p "$1"
  cat > "$1/train.edl" <<EDL
project "$1" { seed = 7 }
dataset fashion {
  source = image_folder("$work/slice")
  split  = { train = 80%, val = 20% }
  image  = { size = 28x28, channels = 1 }
}
model net {
  backbone = ${4:-mlp(hidden = [64])}
  head     = classifier(hidden = [32], dropout = 0)
}
train main {
  data      = fashion
  model     = net
  optimizer = sgd(lr = 0.05, momentum = 0.9)
  epochs    = $2
  batch     = 32
  $3
}
EDL
}
accuracy() { /usr/bin/python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['trains'][0]['val']['accuracy'])" "$1"; }
above() { /usr/bin/python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$1" "$2"; }

# One process and two workers on the same batches.
project single 2 ""
expect "one process trains" 0 "$edlc" run --json single/train.edl
cp out single.json
project dense 2 "distributed = { workers = 2 }"
expect "two workers train" 0 "$edlc" run dense/train.edl
cp out dense.out
contains "the workers are named" dense.out "2 workers, gloo, dense all-reduce on this machine (worker pids"
contains "the dense traffic is said" dense.out "(1.0x less)"
expect "its outcome as JSON" 0 "$edlc" run --json dense/train.edl
cp out dense.json
/usr/bin/python3 - single.json dense.json > same 2>&1 <<'PY'
import json, sys, torch
a, b = (json.load(open(p))["trains"][0] for p in sys.argv[1:3])
wa, wb = torch.load(a["model"]), torch.load(b["model"])
assert wa.keys() == wb.keys()
worst = max((wa[k].float() - wb[k].float()).abs().max().item() for k in wa)
assert worst < 1e-4, worst
assert abs(a["val"]["accuracy"] - b["val"]["accuracy"]) < 1e-9, (a["val"], b["val"])
print("same weights, worst difference", worst)
PY
contains "two workers end with one process's weights" same "same weights"
# The epochs' metrics, summed over the ranks, are one process's.
/usr/bin/python3 - single/.edl/store.db dense/.edl/store.db > metrics 2>&1 <<'PY'
import sqlite3, sys
q = ("SELECT m.epoch, m.name, m.value FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'train:main' "
     "AND m.name IN ('train.loss', 'train.accuracy', 'val.loss', 'val.accuracy') ORDER BY m.epoch, m.name")
a, b = (sqlite3.connect(p).execute(q).fetchall() for p in sys.argv[1:3])
assert len(a) == len(b) == 8, (a, b)
for (ea, na, va), (eb, nb, vb) in zip(a, b):
    assert (ea, na) == (eb, nb) and abs(va - vb) < 1e-4, (ea, na, va, vb)
print("same epoch metrics")
PY
contains "the ranks' metrics add up to one process's" metrics "same epoch metrics"
expect_sql "rank 0 alone recorded 2 epochs" dense/.edl/store.db \
  "SELECT COUNT(*) FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'train:main' AND m.name = 'val.accuracy'" "2"

# DGC at 99% after one warm-up epoch, and PowerSGD, learn.
project dgc 3 "distributed = { workers = 2, compress = dgc(sparsity = 0.99, warmup = 1) }"
expect "dgc trains" 0 "$edlc" run --json dgc/train.edl
cp out dgc.json
above "$(accuracy dgc.json)" 0.6 && pass=$((pass + 1)) || { echo "FAIL dgc learned: $(accuracy dgc.json)"; failures=$((failures + 1)); }
expect "the task's log" 0 "$edlc" runs show 1 dgc/train.edl --task train:main
contains "dgc says what it sent" out "dgc (sparsity 0.99, warm-up 1 epochs)"
contains "and how much less" out "each worker sent"
project psgd 3 "distributed = { workers = 2, compress = powersgd(rank = 2) }"
expect "powersgd trains" 0 "$edlc" run --json psgd/train.edl
cp out psgd.json
above "$(accuracy psgd.json)" 0.6 && pass=$((pass + 1)) || { echo "FAIL powersgd learned: $(accuracy psgd.json)"; failures=$((failures + 1)); }

# DGC's residuals and velocity live on each rank; they are kept with every
# checkpoint, so a run killed after one continues to the very weights of a
# run never stopped (without them the weights end up to 3.5 apart).
dgc6="distributed = { workers = 2, compress = dgc(sparsity = 0.99, warmup = 1) }"
project dgc_straight 6 "$dgc6" "cnn(channels = [16, 32])"
expect "dgc runs straight through" 0 "$edlc" run dgc_straight/train.edl
project dgc_resumed 6 "$dgc6" "cnn(channels = [16, 32])"
"$edlc" run dgc_resumed/train.edl > dgc_killed.out 2>&1 &
pid=$!
wait_for_checkpoint dgc_resumed/.edl/store.db $pid
kill -9 $pid
wait $pid 2>/dev/null
if ls dgc_resumed/.edl/artifacts/run-1/main/epoch-*.exchange > /dev/null 2>&1; then pass=$((pass + 1)); else
  echo "FAIL no exchange state beside the checkpoint"; failures=$((failures + 1)); fi
expect "the killed dgc run continues" 0 "$edlc" run dgc_resumed/train.edl
contains "from its checkpoint" out "train main: continues after epoch"
/usr/bin/python3 - dgc_straight dgc_resumed > dgc_same 2>&1 <<'PY'
import sys, torch
a, b = (torch.load(f"{d}/.edl/artifacts/run-1/main/epoch-6.pt") for d in sys.argv[1:3])
worst = max((a[k].float() - b[k].float()).abs().max().item() for k in a)
assert worst < 1e-6, worst
print("resumed dgc = straight dgc, worst difference", worst)
PY
contains "a resumed dgc training ends where a straight one does" dgc_same "resumed dgc = straight dgc"

# A worker killed after the first checkpoint: the run stops naming it, and continues on the next run.
project killed 12 "distributed = { workers = 2 }" "cnn(channels = [16, 32])"
"$edlc" run killed/train.edl > killed.out 2>&1 &
pid=$!
wait_for_checkpoint killed/.edl/store.db $pid
worker=$(pgrep -f "worker killed/train.edl --rank 1" | head -1)
[ -n "$worker" ] && kill -9 "$worker"
started=$(date +%s)
wait $pid
rc=$?
took=$(( $(date +%s) - started ))
if [ "$rc" -eq 1 ]; then pass=$((pass + 1)); else echo "FAIL a killed worker fails the run: exit $rc"; failures=$((failures + 1)); fi
if [ "$took" -le 30 ]; then pass=$((pass + 1)); else echo "FAIL the run stopped $took s after the kill"; failures=$((failures + 1)); fi
contains "the error names the worker" killed.out "worker 1 (pid $worker) was killed by signal 9"
contains "and says how to continue" killed.out "again continues it from its last checkpoint"
expect "the next run continues" 0 "$edlc" run killed/train.edl
contains "from the checkpoint" out "train main: continues after epoch"
expect_sql "12 epochs, each once" killed/.edl/store.db \
  "SELECT COUNT(DISTINCT epoch) || '/' || COUNT(*) FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'train:main' AND m.name = 'val.accuracy'" "12/12"

# Across machines, here on loopback: rank 0 waits at --master, the worker joins it.
project remote 1 "distributed = { workers = 2 }"
port=$(/usr/bin/python3 -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
"$edlc" run remote/train.edl --master "127.0.0.1:$port" > remote.out 2>&1 &
master=$!
expect "a worker joins from elsewhere" 0 "$edlc" worker remote/train.edl --rank 1 --world 2 --master "127.0.0.1:$port"
contains "the worker trained" out "worker 1: 1 epochs"
wait $master
rc=$?
if [ "$rc" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL rank 0 with --master: exit $rc"; sed 's/^/  | /' remote.out | tail; failures=$((failures + 1)); fi
contains "rank 0 said where it waits" remote.out "waiting at 127.0.0.1:$port for rank 1"
expect "no master there" 1 "$edlc" worker remote/train.edl --rank 1 --world 2 --master 127.0.0.1:1 --timeout 3
contains "the worker says it cannot reach it" err "cannot reach the master at 127.0.0.1:1 within 3 s"
expect "a rank outside the world" 1 "$edlc" worker remote/train.edl --rank 2 --world 2 --master 127.0.0.1:1
contains "the rank is named" err "--rank 2 is not below --world 2"
expect "not HOST:PORT" 2 "$edlc" worker remote/train.edl --rank 1 --world 2 --master localhost

# What is checked before anything runs.
project uneven 1 "distributed = { workers = 3 }"
expect "a batch that does not split" 1 "$edlc" check uneven/train.edl
contains "E0524" err "[E0524]"
project gpu 1 "distributed = { workers = 2, backend = nccl }"
expect "nccl on this build" 1 "$edlc" check gpu/train.edl
contains "E0901 for nccl" err "backend 'nccl' is not supported by this version of edlc"

echo "distributed: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
