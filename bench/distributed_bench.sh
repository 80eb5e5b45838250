#!/usr/bin/env bash
# Data-parallel training against plain PyTorch DDP (issue: distributed
# training with gradient compression), in one run, two workers on this
# machine, on a Fashion-MNIST slice (1,500 images of each class; edlc
# splits 80% / 20%): cnn(channels = [32, 64]) + classifier(hidden = [128]),
# SGD lr 0.05 momentum 0.9 with a cosine schedule, batch BATCH (default
# 128, half per worker), EPOCHS epochs (default 10), one thread per worker:
#   - edlc with dense all-reduce, DGC at 99.9% (the paper's 4 warm-up
#     epochs 75%, 93.75%, 98.4%, 99.6%), DGC at 99.9% from the first step
#     (what the steady state sends), and PowerSGD rank 4: bytes each
#     worker sent against a dense all-reduce of the same gradients, and
#     validation accuracy (last and best epoch) against dense;
#   - bench/distributed_pytorch.py: the same model and batch size under
#     DistributedDataParallel with Gloo: training images/s, against edlc's.
# Usage: bench/distributed_bench.sh [EPOCHS] [BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
edlc=$PWD/build/tools/edlc/edlc
epochs=${1:-10}
batch=${2:-128}
out=$PWD/bench/out/distributed
rm -rf "$out"
mkdir -p "$out/slice"
[ -f data/fashion/.complete ] || { echo "data/fashion is missing: run scripts/fetch-data.sh fashion"; exit 1; }
for class in "$PWD"/data/fashion/*/; do
  name=$(basename "$class")
  mkdir -p "$out/slice/$name"
  ls "$class" | sort | sed -n 1,1500p | while read -r f; do ln -s "$class$f" "$out/slice/$name/$f"; done
done

job() {  # job NAME COMPRESS
  cat <<EDL
train $1 {
  data        = fashion
  model       = net
  optimizer   = sgd(lr = 0.05, momentum = 0.9)
  schedule    = cosine()
  epochs      = $epochs
  batch       = $batch
  distributed = { workers = 2, compress = $2 }
}
EDL
}
{
  cat <<EDL
project "distributed-bench" {
  seed     = 7
  store    = "store.db"
  threads  = 2
  workflow = { parallel = 1 }
}
dataset fashion {
  source = image_folder("$out/slice")
  split  = { train = 80%, val = 20% }
  image  = { size = 28x28, channels = 1 }
}
model net {
  backbone = cnn(channels = [32, 64], kernel = 3)
  head     = classifier(hidden = [128])
}
EDL
  job dense none
  job dgc "dgc(sparsity = 0.999, warmup = 4)"
  job dgc_steady "dgc(sparsity = 0.999, warmup = 0)"
  job powersgd "powersgd(rank = 4)"
} > "$out/bench.edl"

"$edlc" run "$out/bench.edl" | tee "$out/edlc.out"
/usr/bin/python3 bench/distributed_pytorch.py "$out/slice" "$epochs" "$batch" | tee "$out/pytorch.json"

/usr/bin/python3 - "$out" "$epochs" "$batch" <<'PY'
import json, re, sqlite3, sys
out, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
db = sqlite3.connect(f"{out}/store.db")
def metric(job, name, epoch=None):
    q = ("SELECT m.value FROM metrics m JOIN tasks t ON t.id = m.task_id "
         "WHERE t.name = ? AND m.name = ?" + (" AND m.epoch = ?" if epoch else "") + " ORDER BY m.epoch")
    return [r[0] for r in db.execute(q, (f"train:{job}", name) + ((epoch,) if epoch else ()))]
sent = {}
for line in open(f"{out}/edlc.out"):
    m = re.match(r"train (\w+): each worker sent ([0-9.]+) MB of gradients in (\d+) steps; "
                 r"a dense all-reduce carries ([0-9.]+) MB", line)
    if m:
        sent[m.group(1)] = (float(m.group(2)), int(m.group(3)), float(m.group(4)))
peer = json.load(open(f"{out}/pytorch.json"))
peer_rate = sum(peer["images_per_second"][1:]) / max(1, len(peer["images_per_second"]) - 1)  # first epoch warms up
dense_acc = metric("dense", "val.accuracy", epochs)[0]
dense_best = max(metric("dense", "val.accuracy"))
print(f"\n{epochs} epochs, 2 workers, batch {batch}; accuracy on the 3,000 validation images after the last epoch, "
      "and the best epoch's")
print(f"{'job':12} {'sent/worker':>12} {'dense would':>12} {'ratio':>8} {'val acc':>8} {'vs dense':>9} "
      f"{'best':>7} {'vs dense':>9} {'img/s':>7} {'vs DDP':>7}")
for job in ["dense", "dgc", "dgc_steady", "powersgd"]:
    mb, steps, dense_mb = sent[job]
    acc = metric(job, "val.accuracy", epochs)[0]
    best = max(metric(job, "val.accuracy"))
    rates = metric(job, "images_per_second")
    rate = sum(rates[1:]) / max(1, len(rates) - 1)
    print(f"{job:12} {mb:10.3f}MB {dense_mb:10.3f}MB {dense_mb / mb:7.1f}x {acc:8.4f} {100 * (acc - dense_acc):+8.2f}pt "
          f"{best:7.4f} {100 * (best - dense_best):+8.2f}pt {rate:7.0f} {rate / peer_rate:6.2f}x")
print(f"{'pytorch DDP':12} {'':>12} {'':>12} {'':>8} {peer['val_accuracy']:8.4f} {'':>9} {'':>7} {'':>9} {peer_rate:7.0f}")
print("(img/s: both workers' training images a second, epochs 2 on; PyTorch's split is its own)")
PY
