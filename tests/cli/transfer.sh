#!/usr/bin/env bash
# Transfer learning on Fashion-MNIST slices: a model pretrained by an
# earlier `edlc run` on one slice, fine-tuned on another, is better after
# its first epoch than the same model trained from scratch.
# Usage: transfer.sh EDLC SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/contract_lib.sh"
[ -f "$src/data/fashion/.complete" ] || { echo "data/fashion is missing: run scripts/fetch-data.sh"; exit 1; }

fashion_slice base 1 300
fashion_slice target 301 40

# project NAME DATA EPOCHS PRETRAINED
project() {
  cat >"$work/$1.edl" <<EDL
project "$1" {
  seed  = 5
  store = "runs/store.db"
}

dataset fashion {
  source = image_folder("$2")
  split  = { train = 50%, val = 50% }
  image  = { size = 28x28, channels = 1 }
}

model net {
  backbone = cnn(channels = [16, 32]$4)
  head     = classifier(hidden = [64])
}

train main {
  data      = fashion
  model     = net
  optimizer = sgd(lr = 0.02, momentum = 0.9)
  epochs    = $3
  batch     = 32
}
EDL
}

accuracy() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['trains'][0]['val']['accuracy'])" "$1"; }
model() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['trains'][0]['model'])" "$1"; }

project base "$work/base" 3 ""
"$edlc" run --json "$work/base.edl" >"$work/base.json"
weights=$(model "$work/base.json")
project scratch "$work/target" 1 ""
project tuned "$work/target" 1 ", pretrained = \"$weights\""
"$edlc" run --json "$work/scratch.edl" >"$work/scratch.json"
"$edlc" run --json "$work/tuned.edl" >"$work/tuned.json"
base=$(accuracy "$work/base.json")
scratch=$(accuracy "$work/scratch.json")
tuned=$(accuracy "$work/tuned.json")
echo "pretrain on 3,000 images: val accuracy $base"
echo "first epoch on 400 other images: from scratch $scratch, fine-tuned $tuned"
python3 -c "import sys; sys.exit(0 if float('$tuned') > float('$scratch') + 0.05 else 1)" ||
  { echo "FAIL: fine-tuning did not start better than training from scratch"; exit 1; }
echo "transfer: ok"
