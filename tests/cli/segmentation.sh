#!/usr/bin/env bash
# Segmentation end to end on the generated scenes (data/scenes: Fashion-MNIST
# items on scikit-image photographs, each pixel's item in a label map):
#  - `edlc data` shows each class's pixel share per split, in text and JSON,
#    the JSON's pixels adding up to every pixel of every image;
#  - missing partners, a mask of another size and a value that is no class
#    are skipped with their reasons, a missing mask folder stops with E0820,
#    a classification task on mask data is E0513;
#  - `edlc preview` overlays the label maps through an augment block's warp;
#  - `edlc run` trains a U-Net for real: the store's epoch metrics are
#    val.miou and val.pixel_accuracy, the evaluation keeps each class's IoU
#    as `runs show` prints it, and the model learned (held-out mIoU above
#    what painting everything background scores);
#  - the segmenter packaged: `edlc predict` writes label maps the TorchScript
#    module gives in Python on the same pixels, at the size of the image as
#    given, and refuses an image too large to segment; `edlc serve`
#    answers the areas in JSON and the map as a PNG; the C++ SDK's segment
#    example reports the same class shares;
#  - fcn trains with dice on the same data; a random search maximises
#    val.miou.
# Usage: segmentation.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

scenes="$src/data/scenes"
[ -f "$scenes/.complete" ] || { echo "data/scenes is missing: run scripts/fetch-data.sh"; exit 1; }
cd "$work"

project() {  # project IMAGES MASKS [TASK]
  cat <<EDL
project "segmentation" { seed = 3 }
dataset scenes {
  source  = mask_folder("$1", "$2")
  task    = ${3:-segmentation}
  split   = { train = 40%, val = 10%, test = 50% }
  image   = { size = 128x128 }
  classes = ["background", "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
}
EDL
}

project "$scenes/images" "$scenes/masks" > scenes.edl
expect "data on the scenes" 0 "$edlc" data scenes.edl
contains "image count" out "3,000 images in 11 classes"
contains "pixel shares" out "label maps: 49,152,000 pixels"
contains "a row per class" out "ankle-boot"
expect "data as JSON" 0 "$edlc" data scenes.edl --format json
/usr/bin/python3 - "$work/out" <<'PY' > compare 2>&1
import json, sys
shown = json.load(open(sys.argv[1]))[0]
total = sum(c["train"] + c["val"] + c["test"] for c in shown["pixels"].values()) + shown["ignored_pixels"]
assert total == 3000 * 128 * 128, total
assert shown["pixels"]["background"]["images"] == 3000, shown["pixels"]["background"]
assert all(c["images"] > 500 for c in shown["pixels"].values()), shown["pixels"]
print("pixels add up")
PY
contains "JSON pixels add up" compare "pixels add up"

# Five scenes: one without a mask, one mask of another size, one with a
# value that is no class, a mask without an image.
mkdir -p few/images few/masks
for k in 0 1 2 3 4; do cp "$scenes/images/scene_0000$k.jpg" few/images/; done
cp "$scenes/masks/scene_00000.png" "$scenes/masks/scene_00001.png" few/masks/
/usr/bin/python3 - "$scenes/masks" few/masks <<'PY'
import sys
import numpy as np
from PIL import Image
src, dst = sys.argv[1], sys.argv[2]
Image.open(f"{src}/scene_00002.png").resize((64, 64), Image.NEAREST).save(f"{dst}/scene_00002.png")
m = np.array(Image.open(f"{src}/scene_00003.png")); m[5, 5] = 42
Image.fromarray(m).save(f"{dst}/scene_00003.png")
Image.open(f"{src}/scene_00009.png").save(f"{dst}/scene_00009.png")
PY
project "$work/few/images" "$work/few/masks" > few.edl
expect "bad partners skipped" 0 "$edlc" data few.edl
contains "two pairs kept" out "2 images in 11 classes"
contains "no mask" out "no mask scene_00004.png"
contains "another size" out "is 64x64, its image is 128x128"
contains "no class" out "holds the value 42, which is no class"
contains "no image" out "no image named scene_00009"
project "$work/few/images" "$work/nowhere" > lost.edl
expect "a missing mask folder" 1 "$edlc" data lost.edl
contains "E0820" err "there is no such folder"
project "$scenes/images" "$scenes/masks" classification > wrong.edl
expect "mask data for classification" 1 "$edlc" check wrong.edl
contains "E0513" err "[E0513]"

cat scenes.edl - > train.edl <<'EDL'
augment shelf {
  flip_horizontal(p = 0.5)
  rotate(degrees = uniform(-15, 15))
  brightness(factor = uniform(0.8, 1.2))
}
model painter {
  backbone = cnn(channels = [16, 32, 64])
  head     = unet(channels = 32)
}
train paint {
  data      = scenes
  augment   = shelf
  model     = painter
  optimizer = adam(lr = 0.003)
  schedule  = cosine()
  epochs    = 6
  batch     = 16
  metrics   = [loss, miou, pixel_accuracy]
}
deploy ship { from = paint; targets = [torchscript(), server(), sdk(lang = "cpp")] }
EDL
expect "preview overlays the masks" 0 "$edlc" preview train.edl --augment shelf --count 4 --out preview.png
[ -s preview.png ] && pass=$((pass + 1)) || { echo "FAIL no preview.png"; failures=$((failures + 1)); }

expect "a U-Net trains and is packaged" 0 "$edlc" run train.edl
cp out run.out
contains "its parts named" run.out "train paint: cnn + unet"
contains "epoch lines show mIoU" run.out "miou"
db=.edl/store.db
expect_sql "val.miou each epoch" $db "SELECT COUNT(*) FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'train:paint' AND m.name = 'val.miou'" 6
expect_sql "no train.miou" $db "SELECT COUNT(*) FROM metrics WHERE name = 'train.miou'" 0
miou=$(sql $db "SELECT value FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'evaluate:paint' AND m.name = 'test.miou'")
# Painting every pixel background scores its share (0.85) over 11 classes.
if /usr/bin/python3 -c "import sys; sys.exit(0 if float('$miou') > 0.10 else 1)"; then pass=$((pass + 1)); else
  echo "FAIL the U-Net did not learn: test miou $miou"; failures=$((failures + 1)); fi
expect "runs show" 0 "$edlc" runs show 1 train.edl
contains "the IoU table" out "mIoU"
contains "a class row" out "ankle-boot"
sql $db "SELECT outputs FROM tasks WHERE name = 'evaluate:paint'" > evaluation.json
/usr/bin/python3 - evaluation.json "$miou" <<'PY' > evaluated 2>&1
import json, sys
seg = json.load(open(sys.argv[1]))["segmentation"]
present = [v for v in seg["per_class"] if v >= 0]
assert len(seg["per_class"]) == 11 and abs(sum(present) / len(present) - float(sys.argv[2])) < 1e-6, seg
assert seg["pixels"] % (128 * 128) == 0 and abs(seg["pixels"] // (128 * 128) - 1500) < 10, seg["pixels"]
print("the mean of the classes' IoU is the recorded miou")
PY
contains "per-class IoU agree" evaluated "the mean of the classes' IoU is the recorded miou"

mkdir -p unpacked && tar -xzf dist/ship.tar.gz -C unpacked
ls "$scenes/images" | tail -4 | sed "s|^|$scenes/images/|" > files
/usr/bin/python3 -c "from PIL import Image; im = Image.open('$(head -1 files)'); im.resize((256, 256), Image.NEAREST).save('big.png')"
expect "predict writes label maps" 0 "$edlc" predict dist/ship.tar.gz $(cat files) big.png --json --masks maps
cp out predicted.json
/usr/bin/python3 - predicted.json unpacked files <<'PY' > agree 2>&1
import json, sys
import numpy as np, torch
from PIL import Image
predicted = json.load(open(sys.argv[1]))
manifest = json.load(open(f"{sys.argv[2]}/manifest.json"))
assert manifest["task"] == "segmentation", manifest["task"]
norm = manifest["preprocessing"]["normalize"]
module = torch.jit.load(f"{sys.argv[2]}/model/torchscript.pt")
files = [l.strip() for l in open(sys.argv[3])]
for entry, file in zip(predicted, files):
    pixels = np.asarray(Image.open(file).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)
    mean = np.array(norm["mean"], dtype=np.float32)[:, None, None]; std = np.array(norm["std"], dtype=np.float32)[:, None, None]
    want = module(torch.from_numpy((pixels / 255 - mean) / std)[None])[0].argmax(0).numpy()
    got = np.array(Image.open(entry["mask"]))
    assert got.shape == want.shape == (128, 128), (got.shape, want.shape)
    assert (got == want).mean() > 0.999, (file, (got == want).mean())
    shares = {a["label"]: a["share"] for a in entry["areas"]}
    for k, name in enumerate(manifest["classes"]):
        assert abs(shares.get(name, 0) - (got == k).mean()) < 1e-9, (name, shares)
big = np.array(Image.open(predicted[-1]["mask"]))
small = np.array(Image.open(predicted[0]["mask"]))
assert big.shape == (256, 256), big.shape
assert (big[::2, ::2] == small).mean() > 0.97, (big[::2, ::2] == small).mean()
print(f"predict agrees with the module on {len(files)} label maps")
PY
contains "predict = TorchScript in Python" agree "predict agrees with the module"
expect "predict in text" 0 "$edlc" predict dist/ship.tar.gz "$(head -1 files)"
contains "a line with the mask" out "mask ./$(basename "$(head -1 files)" .jpg).mask.png  128x128"

# An image whose class scores would pass 1 GB is refused with the limit; the others still get their maps.
/usr/bin/python3 -c "from PIL import Image; Image.new('RGB', (8000, 4000), (90, 120, 60)).save('huge.png')"
expect "a huge image is refused" 1 "$edlc" predict dist/ship.tar.gz huge.png "$(head -1 files)" --masks huge-maps
contains "the limit named" err "huge.png: too large to segment"
contains "the other image answered" out "$(head -1 files)  mask huge-maps/"
port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$edlc" serve dist/ship.tar.gz --port "$port" > serve.out 2>&1 &
server=$!
for _ in $(seq 1200); do grep -q "^serving " serve.out 2>/dev/null && break; kill -0 $server 2>/dev/null || break; sleep 0.1; done
/usr/bin/python3 - "$port" "$(head -1 files)" predicted.json <<'PY' > served 2>&1
import io, json, sys, urllib.request
import numpy as np
from PIL import Image
url = f"http://127.0.0.1:{sys.argv[1]}/v1/predict"
body = open(sys.argv[2], "rb").read()
want = json.load(open(sys.argv[3]))[0]
answer = json.load(urllib.request.urlopen(urllib.request.Request(url, data=body, headers={"Content-Type": "image/jpeg"}), timeout=60))
assert answer["areas"] == want["areas"] and answer["width"] == 128, answer
png = urllib.request.urlopen(urllib.request.Request(url + "?format=png", data=body, headers={"Content-Type": "image/jpeg"}), timeout=60)
assert png.headers["Content-Type"] == "image/png", png.headers
served = np.array(Image.open(io.BytesIO(png.read())))
assert (served == np.array(Image.open(want["mask"]))).all()
print("served the areas and the label map predict wrote")
PY
kill -INT $server; wait $server 2>/dev/null
contains "serve answers areas and the PNG" served "served the areas and the label map predict wrote"

expect "the SDK configures" 0 cmake -S unpacked/sdk/example -B sdk-build -DCMAKE_BUILD_TYPE=Release
expect "the SDK builds" 0 cmake --build sdk-build -j 2
expect "the SDK segments" 0 sdk-build/segment unpacked $(head -2 files)
/usr/bin/python3 - out predicted.json files <<'PY' > sdk 2>&1
import json, sys
lines = [l.split() for l in open(sys.argv[1])]
files = [l.strip() for l in open(sys.argv[3])][:2]
want = json.load(open(sys.argv[2]))[:2]
assert len(lines) == 2, lines
for (f, size, *rest), wf, w in zip(lines, files, want):
    shares = dict(zip(rest[0::2], map(float, rest[1::2])))
    assert f == wf and size == "128x128", (f, size)
    assert shares.keys() == {a["label"] for a in w["areas"]}, (shares, w["areas"])
    assert all(abs(shares[a["label"]] - a["share"]) < 2e-3 for a in w["areas"]), (shares, w["areas"])
print("the SDK found the same class shares")
PY
contains "SDK = predict" sdk "the SDK found the same class shares"

# fcn with dice on the same data, one epoch, no package.
sed -e 's/unet(channels = 32)/fcn()/' -e 's/epochs    = 6/epochs    = 1\n  loss      = dice(cross_entropy = 0.5)/' \
  -e '/^deploy/d' train.edl > fcn.edl
mkdir -p fcn && mv fcn.edl fcn/train.edl
expect "fcn trains with dice" 0 "$edlc" run fcn/train.edl
contains "fcn named" out "train paint: cnn + fcn"

# A search maximises val.miou: each trial's objective is its best val.miou.
mkdir -p search
sed -e 's/optimizer = adam(lr = 0.003)/optimizer = adam(lr = hp.lr)/' -e 's/epochs    = 6/epochs    = 1/' \
  -e 's/train = 40%, val = 10%, test = 50%/train = 10%, val = 5%, test = 85%/' -e '/^deploy/d' train.edl > search/train.edl
cat >> search/train.edl <<'EDL'
space hp { lr = loguniform(0.0005, 0.01) }
EDL
sed -i 's/  metrics   = \[loss, miou, pixel_accuracy\]/&\n  search    = random(trials = 3, objective = maximize(val.miou))/' search/train.edl
expect "a search maximises val.miou" 0 "$edlc" run search/train.edl
contains "the best trial adopted" out "best of 3 trials"
expect_sql "three trials, each scored by its best val.miou" search/.edl/store.db \
  "SELECT COUNT(*) FROM trials t WHERE t.status = 'done' AND ABS(t.value - (SELECT MAX(m.value) FROM metrics m WHERE m.trial_id = t.id AND m.name = 'val.miou')) < 1e-9" 3

echo "segmentation: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
