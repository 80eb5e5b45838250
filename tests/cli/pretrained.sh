#!/usr/bin/env bash
# Transfer learning from a published network: the MobileNetV2 the npm
# package nsfwjs ships (data/nsfwjs, scripts/fetch-data.sh data nsfwjs):
#  - `edlc import-weights tfjs` maps it onto the stdlib mobilenet_v2 and
#    its classifier; on real photographs (scikit-image's) our network's
#    logits are those of the original run by TensorFlow.js in Node (the
#    pure-JavaScript @tensorflow/tfjs, installed here with npm for this
#    test only) within 1e-3;
#  - what cannot be imported stops with a clear error (no model.json, a
#    file that is not a layers model, --as of another backbone);
#  - a model with `pretrained` = the import fine-tunes on a slice of
#    Fashion-MNIST: the run says the pretraining's normalisation is used,
#    frozen blocks, gradual unfreezing and per-block learning rates train;
#    weights for another backbone are E0803; the package keeps the
#    pretraining's normalisation, `edlc predict` answers as the store's
#    evaluation did, an int8 edge model of it is built, and the C++ SDK
#    built from the package answers as predict does (images grown from
#    28x28 to 64x64 on the way); a new import makes the job train again;
#    unfreeze without freeze is E0525.
# Skips (exit 77) only when the npm registry cannot be reached.
# Usage: pretrained.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"
logits_tool="$(dirname "$edlc")/../../tests/pretrained/edl_pretrained_logits"

[ -f "$src/data/fashion/.complete" ] || { echo "data/fashion is missing: run scripts/fetch-data.sh"; exit 1; }
if [ ! -f "$src/data/nsfwjs/.complete" ]; then
  /usr/bin/python3 "$src/scripts/fetch_data.py" "$src/data" nsfwjs >/dev/null 2>&1 || true
  [ -f "$src/data/nsfwjs/.complete" ] || { echo "SKIP: data/nsfwjs could not be built (is the npm registry reachable?)"; exit 77; }
fi
tfjs="$src/data/.npm/tfjs"
if [ ! -d "$tfjs/node_modules/@tensorflow/tfjs" ]; then
  mkdir -p "$tfjs"
  npm install --prefix "$tfjs" --no-audit --no-fund --silent @tensorflow/tfjs@4.22.0 >/dev/null 2>&1 ||
    { echo "SKIP: npm could not install @tensorflow/tfjs (is the npm registry reachable?)"; exit 77; }
fi
cd "$work"

# --- the import, compared with TensorFlow.js on real photographs ---------
expect "import-weights" 0 "$edlc" import-weights tfjs "$src/data/nsfwjs/mobilenet_v2" --as mobilenet_v2 \
  --out nsfw.pt --classes "$(cat "$src/data/nsfwjs/classes.txt")"
cp out import.out
contains "import: tensors" import.out "imported 266 tensors (2619461 values) from nsfwjs@4.4.0 mobilenet_v2"
contains "import: head" import.out "into mobilenet_v2(width = 1) + classifier [256, 128] of 5 classes"
contains "import: conventions" import.out "TensorFlow padding, batch-norm epsilon 0.001"
contains "import: input" import.out "input 224x224x3, normalised as (pixel / 255 - [0, 0, 0]) / [1, 1, 1]"

photos=/usr/lib/python3/dist-packages/skimage/data
/usr/bin/python3 - "$photos" <<'PY'
import sys, numpy as np
from PIL import Image
names = ["astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png", "hubble_deep_field.jpg"]
x = np.stack([np.asarray(Image.open(f"{sys.argv[1]}/{n}").convert("RGB").resize((224, 224), Image.BILINEAR),
                         np.float32) / 255 for n in names])
x.tofile("photos.f32")
PY
expect "our logits" 0 "$logits_tool" nsfw.pt photos.f32 6 ours.f32
expect "TF.js logits" 0 env NODE_PATH="$tfjs/node_modules" node "$src/tests/pretrained/tfjs_logits.cjs" \
  "$src/data/nsfwjs/mobilenet_v2" photos.f32 6 theirs.f32
/usr/bin/python3 - >compare.out <<'PY'
import numpy as np
ours, theirs = np.fromfile("ours.f32", np.float32), np.fromfile("theirs.f32", np.float32)
print(f"values {ours.size} {theirs.size}")
print(f"max abs difference {np.abs(ours - theirs).max():.2e}")
print(f"same argmax {int((ours.reshape(6, 5).argmax(1) == theirs.reshape(6, 5).argmax(1)).sum())} of 6")
print(f"spread {theirs.std():.3f}")
print("within 1e-3" if ours.size == theirs.size == 30 and np.abs(ours - theirs).max() <= 1e-3 else "NOT within 1e-3")
PY
cat compare.out
contains "logits within 1e-3" compare.out "within 1e-3"
contains "same classes" compare.out "same argmax 6 of 6"

# --- what cannot be imported ---------------------------------------------
mkdir -p empty notlayers
expect "no model.json" 1 "$edlc" import-weights tfjs empty --out x.pt
contains "no model.json: says so" err "no model.json in empty"
echo '{"modelTopology": {"node": []}, "weightsManifest": []}' >notlayers/model.json
expect "a graph model" 1 "$edlc" import-weights tfjs notlayers --out x.pt
contains "a graph model: says so" err "not a Keras Model or Sequential"
expect "--as resnet18" 1 "$edlc" import-weights tfjs "$src/data/nsfwjs/mobilenet_v2" --as resnet18 --out x.pt
contains "--as resnet18: says so" err "only mobilenet_v2 can be imported"
expect "bad --std" 2 "$edlc" import-weights tfjs "$src/data/nsfwjs/mobilenet_v2" --std 0 --out x.pt
[ ! -e x.pt ] && pass=$((pass + 1)) || { echo "FAIL: a failed import wrote x.pt"; failures=$((failures + 1)); }

# --- fine-tuning on Fashion-MNIST -----------------------------------------
fashion_slice few 1 30
cat >tune.edl <<EDL
project "tune" { seed = 3 }
dataset few {
  source = image_folder("$work/few")
  split  = { train = 70%, val = 30% }
  image  = { size = 64x64 }
}
model tuned {
  backbone = mobilenet_v2(pretrained = "nsfw.pt", freeze = "block13", unfreeze = { after = 1, lr_scale = 0.1 },
                          layer_decay = 0.9)
  head     = classifier(hidden = [256, 128])
}
train fit {
  data      = few
  model     = tuned
  optimizer = adam(lr = 0.001)
  epochs    = 2
  batch     = 30
}
deploy pack {
  from    = fit
  targets = [torchscript(), edge(arch = x86_64, quantize = int8), sdk(lang = "cpp")]
}
EDL
expect "check" 0 "$edlc" check tune.edl
expect "build" 0 "$edlc" build tune.edl
cp out build.out
contains "pretrained loaded" build.out "pretrained: 316 tensors loaded, 2 kept new (other name or shape) from nsfwjs@4.4.0 mobilenet_v2"
contains "normalisation" build.out "inputs normalised as its pretraining's: (pixel / 255 - 0) / 1 per channel"
contains "unfreezing" build.out "frozen: block13 and the blocks before it; unfreezes them after epoch 1 at lr x 0.1"
contains "layer decay" build.out "layer_decay 0.9: each backbone block's lr is the next one's x 0.9"
contains "int8 edge model agrees" build.out "edge int8 (onednn): val accuracy"
[ -f dist/pack.tar.gz ] && pass=$((pass + 1)) || { echo "FAIL: no package"; failures=$((failures + 1)); }
mkdir -p unpacked && tar -xzf dist/pack.tar.gz -C unpacked
/usr/bin/python3 - >manifest.out <<'PY'
import json
m = json.load(open("unpacked/manifest.json"))
print("mean", m["preprocessing"]["normalize"]["mean"], "std", m["preprocessing"]["normalize"]["std"])
PY
contains "the package normalises as the pretraining" manifest.out "mean [0.0, 0.0, 0.0] std [1.0, 1.0, 1.0]"
"$edlc" data tune.edl --files val >val.txt
expect "predict the validation images" 0 xargs -a val.txt "$edlc" predict dist/pack.tar.gz --json
/usr/bin/python3 - "$work/out" >predict.out <<'PY'
import json, os, sys
answers = json.load(open(sys.argv[1]))
right = sum(a["top"][0]["label"] == os.path.basename(os.path.dirname(a["file"])) for a in answers)
print(f"predict accuracy {right / len(answers):.4f} on {len(answers)}")
PY
stored=$(grep -o "evaluate fit on val (90 samples): loss [0-9.]* accuracy [0-9.]*" build.out | awk '{print $NF}')
contains "predict answers as the evaluation did" predict.out "predict accuracy $stored on 90"

# The C++ SDK of the fine-tuned model, built from the package with CMake alone,
# answers as edlc predict does.
cp out predict.json
expect "the SDK example configures" 0 cmake -S unpacked/sdk/example -B sdk-build -DCMAKE_BUILD_TYPE=Release
expect "the SDK example builds" 0 cmake --build sdk-build -j 2
expect "the SDK example classifies" 0 xargs -a val.txt sdk-build/classify unpacked
/usr/bin/python3 - >sdk.out <<'PY'
import json
ours = json.load(open("predict.json"))
sdk = [line.split() for line in open("out")]
same = sum(o["file"] == f and o["top"][0]["label"] == l and abs(o["top"][0]["score"] - float(s)) < 1e-4
           for o, (f, l, s) in zip(ours, sdk))
print(f"SDK {same} of {len(ours)} same class and score within 1e-4")
PY
contains "SDK and predict agree" sdk.out "SDK 90 of 90 same"

# A trained project plans nothing new; re-imported weights train again.
expect "plan after the build" 0 "$edlc" plan tune.edl
contains "plan: all cached" out "0 to run"
sleep 1
expect "import again" 0 "$edlc" import-weights tfjs "$src/data/nsfwjs/mobilenet_v2" --out nsfw.pt
expect "plan after the import" 0 "$edlc" plan tune.edl
contains "plan: the training runs again" out "1 cached, 3 to run"

# --- weights that do not fit, and what cannot run -------------------------
sed 's|backbone = mobilenet_v2(pretrained = "nsfw.pt"|backbone = resnet18(pretrained = "nsfw.pt"|' tune.edl >wrong.edl
sed -i 's|targets = \[.*\]|targets = [torchscript()]|' wrong.edl
expect "weights of another backbone" 1 "$edlc" run wrong.edl
contains "E0803 names the backbone" err "it holds a mobilenet_v2, and this model's backbone is resnet18"
sed 's|freeze = "block13", ||' tune.edl >nofreeze.edl
expect "unfreeze without freeze" 1 "$edlc" check nofreeze.edl
contains "E0525" err "error[E0525]"

echo "pretrained: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
