#!/usr/bin/env bash
# Detection end to end on the generated scenes (data/scenes: Fashion-MNIST
# items on scikit-image photographs, COCO boxes):
#  - `edlc data` counts every object of the COCO file per class, split and
#    COCO size, in text and JSON, equal to a count made here from the file;
#  - bad annotations are skipped with their reasons, a file that is not COCO
#    stops with E0820, a classification task on COCO data is E0513;
#  - `edlc preview` draws the boxes through an augment block's warp and
#    refuses a block that blends images;
#  - `edlc run` trains a RetinaNet (cnn + fpn) for real, a YOLO and a Faster
#    R-CNN (packaged, predicting as its module does): the store's epoch
#    metrics are COCO's, the evaluate task keeps COCO's summary and each
#    class's AP equal to what the run printed, and the detector learned
#    (held-out map50 above zero);
#  - the detector packaged: `edlc predict` prints the boxes the TorchScript
#    module gives in Python on the same pixels, scaled onto an image of
#    another size; `edlc serve` answers the same {label, score, box} JSON;
#    the C++ SDK's detect example prints the same boxes; edge() runs the
#    same module; edge(quantize = int8) is refused (E0518);
#  - a random search over the head's depth, smallest anchor and score
#    threshold records its trials and adopts the best;
#  - SIGKILL after a detector's first checkpoint: the next run continues the
#    same training and ends with every epoch recorded once.
# Usage: detection.sh EDLC SOURCE_DIR
set -uo pipefail
source "$(dirname "$0")/contract_lib.sh"

scenes="$src/data/scenes"
[ -f "$scenes/.complete" ] || { echo "data/scenes is missing: run scripts/fetch-data.sh"; exit 1; }
cd "$work"

project() {  # project ANNOTATIONS IMAGES [TASK]
  cat <<EDL
project "detection" { seed = 3 }
dataset scenes {
  source = coco("$1", "$2")
  task   = ${3:-detection}
  image  = { size = 128x128 }
}
EDL
}

project "$scenes/annotations.json" "$scenes/images" > scenes.edl
expect "data on the scenes" 0 "$edlc" data scenes.edl
contains "image count" out "3,000 images in 10 classes"
want=$(/usr/bin/python3 -c "import json; print(f\"{len(json.load(open('$scenes/annotations.json'))['annotations']):,} objects\")")
contains "every object counted" out "$want"
contains "size columns" out "small   medium    large"

expect "data as JSON" 0 "$edlc" data scenes.edl --format json
/usr/bin/python3 - "$work/out" "$scenes/annotations.json" > compare 2>&1 <<'PY'
import json, sys, collections
shown = json.load(open(sys.argv[1]))[0]["objects"]
coco = json.load(open(sys.argv[2]))
names = {c["id"]: c["name"] for c in coco["categories"]}
want = collections.Counter(names[a["category_id"]] for a in coco["annotations"])
small = collections.Counter(names[a["category_id"]] for a in coco["annotations"] if a["area"] < 32 * 32)
for name, n in want.items():
    s = shown[name]
    assert s["train"] + s["val"] + s["test"] == n, (name, s, n)
    assert s["small"] == small[name], (name, s, small[name])
print("objects agree")
PY
contains "JSON counts equal the file's" compare "objects agree"

# Three scenes with a bad box, an unknown image and an unknown category.
mkdir -p few
/usr/bin/python3 - "$scenes/annotations.json" few/annotations.json <<'PY'
import json, sys
coco = json.load(open(sys.argv[1]))
keep = {1, 2, 3}
coco["images"] = [i for i in coco["images"] if i["id"] in keep]
coco["annotations"] = [a for a in coco["annotations"] if a["image_id"] in keep]
coco["annotations"][0]["bbox"] = [120, 120, 30, 30]
coco["annotations"][1]["image_id"] = 77
coco["annotations"][2]["category_id"] = 99
json.dump(coco, open(sys.argv[2], "w"))
PY
project "$work/few/annotations.json" "$scenes/images" > few.edl
expect "bad annotations skipped" 0 "$edlc" data few.edl
contains "outside named" out "outside its 128x128 image"
contains "unknown image named" out "unknown image id"
contains "unknown category named" out "unknown category id"

echo '{"images": []}' > few/annotations.json
expect "not COCO" 1 "$edlc" data few.edl
contains "E0820 with its reason" err "[E0820]"
contains "the missing list named" err "no 'annotations' list"

project "$scenes/annotations.json" "$scenes/images" classification > wrong.edl
expect "classification on COCO" 1 "$edlc" check wrong.edl
contains "E0513" err "[E0513]"

cat scenes.edl - > preview.edl <<'EDL'
augment geo {
  flip_horizontal(p = 0.5)
  rotate(degrees = uniform(-15, 15))
  random_resized_crop(size = 128x128, scale = [0.5, 1.0])
}
augment blend { mixup(alpha = 0.2) }
EDL
expect "preview with boxes" 0 "$edlc" preview preview.edl --augment geo --dataset scenes --count 3 --variants 2 --out grid.png
contains "preview wrote" out "wrote grid.png: 3 images of dataset 'scenes'"
/usr/bin/python3 -c "from PIL import Image; im = Image.open('grid.png'); print('size', im.size)" > size 2>&1
contains "a 3 x 3 grid of 256-pixel cells" size "size (784, 784)"
expect "preview refuses mixup on boxes" 1 "$edlc" preview preview.edl --augment blend --dataset scenes --out blend.png
contains "mixup named" err "uses 'mixup', which blends two images and cannot carry the boxes"

# The trainings below use the first 1,500 scenes: 900 to train on, as many
# as before, and fewer to evaluate, which took a third of their time.
/usr/bin/python3 - "$scenes/annotations.json" <<'PY' > first.json
import json, sys
coco = json.load(open(sys.argv[1]))
coco["images"] = coco["images"][:1500]
kept = {image["id"] for image in coco["images"]}
coco["annotations"] = [a for a in coco["annotations"] if a["image_id"] in kept]
json.dump(coco, sys.stdout)
PY
cat > train.edl <<EDL
project "detection" { seed = 3 }
dataset scenes {
  source = coco("$work/first.json", "$scenes/images")
  task   = detection
  split  = { train = 60%, val = 10%, test = 30% }
  image  = { size = 128x128 }
}
augment shelf { flip_horizontal(p = 0.5) }
model detector {
  backbone = cnn(channels = [32, 64, 128, 128])
  neck     = fpn(channels = 64)
  head     = retinanet(anchors = { sizes = [16, 32, 64] }, depth = 2, channels = 64)
}
train find {
  data = scenes
  augment = shelf
  model = detector
  optimizer = adam(lr = 0.001)
  schedule = cosine()
  epochs = 3
  batch = 16
  metrics = [loss, map, map50]
}
EDL
expect "a detector trains" 0 "$edlc" run train.edl
contains "epoch lines show map" out "map50"
contains "evaluate names map" out "evaluate find on test (450 samples): loss"
db=.edl/store.db
epochs=$(sql $db "SELECT COUNT(DISTINCT epoch) FROM metrics WHERE name = 'val.map50'")
if [ "$epochs" = "3" ]; then pass=$((pass + 1)); else echo "FAIL val.map50 per epoch: '$epochs'"; failures=$((failures + 1)); fi
outputs=$(sql $db "SELECT outputs FROM tasks WHERE name = 'evaluate:find' ORDER BY id DESC LIMIT 1")
/usr/bin/python3 - "$outputs" "$work/out" > coco 2>&1 <<'PY'
import json, re, sys
o = json.loads(sys.argv[1])
coco = o["coco"]
assert len(coco["per_class"]) == 10, coco
assert coco["map50"] >= coco["map"] > 0, coco
line = [l for l in open(sys.argv[2]) if l.startswith("evaluate find")][0]
printed = float(re.search(r"map50 ([0-9.]+)", line).group(1))
assert abs(printed - o["metrics"]["map50"]) < 1e-4, (printed, o["metrics"])
assert abs(o["metrics"]["map50"] - coco["map50"]) < 1e-9
print("coco summary agrees, map50", coco["map50"])
PY
contains "the evaluate task's COCO summary" coco "coco summary agrees"
expect "runs show" 0 "$edlc" runs show 1 train.edl
contains "runs show prints COCO's summary" out "COCO: mAP@[.5:.95]"
contains "and each class's AP" out "ankle-boot"

# The same detector with YOLO's head learns too.
mkdir -p yolo
sed -e 's/head     = retinanet(/head     = yolo(/' -e 's/epochs = 3/epochs = 2/' train.edl > yolo/train.edl
expect "a yolo detector trains" 0 "$edlc" run yolo/train.edl
contains "yolo's epoch shows map50" out "epoch 2/2"
# learned NAME STORE FLOOR: the store's evaluate task found objects on
# held-out scenes (COCO map50 above FLOOR, an AP for each of the 10 classes).
learned() {
  /usr/bin/python3 - "$(sql "$2" "SELECT outputs FROM tasks WHERE name = 'evaluate:find'")" "$1" "$3" > "$1.out" 2>&1 <<'PY'
import json, sys
coco = json.loads(sys.argv[1])["coco"]
assert coco["map50"] > float(sys.argv[3]) and len(coco["per_class"]) == 10, coco
print(sys.argv[2], "learned: map50", coco["map50"])
PY
  contains "$1 found objects on held-out scenes" "$1.out" "$1 learned"
}
learned yolo yolo/.edl/store.db 0.005

# A search over the head's properties: depth, the smallest anchor, the score threshold.
mkdir -p search
cat > search/search.edl <<EDL
project "detection-search" { seed = 5 }
dataset scenes {
  source = coco("$work/first.json", "$scenes/images")
  task   = detection
  split  = { train = 40%, val = 10%, test = 50% }
  image  = { size = 128x128 }
}
space det {
  depth = choice(1, 2)
  small = choice(12, 20)
  score = uniform(0.05, 0.2)
}
model detector {
  backbone = cnn(channels = [16, 32, 64, 64])
  neck     = fpn(channels = 32)
  head     = retinanet(anchors = { sizes = [det.small, 32, 64] }, depth = det.depth, channels = 32,
                       score_threshold = det.score)
}
train find {
  data = scenes
  model = detector
  optimizer = adam(lr = 0.001)
  epochs = 1
  batch = 16
  search = random(trials = 3, objective = maximize(val.map50))
}
EDL
expect "a search over a detector's head" 0 "$edlc" run search/search.edl
contains "the searched variables" out "search find: random over det.depth det.score det.small"
/usr/bin/python3 - search/.edl/store.db "$work/out" > searched 2>&1 <<'PY'
import json, re, sqlite3, sys
trials = sqlite3.connect(sys.argv[1]).execute("SELECT params, value FROM trials WHERE status = 'done'").fetchall()
assert len(trials) == 3, trials
for params, value in trials:
    p = json.loads(params)
    assert p["det.depth"] in (1, 2) and p["det.small"] in (12, 20) and 0.05 <= p["det.score"] <= 0.2, p
    assert value is not None and value >= 0, value
best = max(trials, key=lambda t: t[1])
line = [l for l in open(sys.argv[2]) if "best of 3 trials" in l][0]
assert json.loads(line.split(": ", 1)[1]) == json.loads(best[0]), (line, best)
print("3 trials, the best one's head trained last")
PY
contains "trials recorded, the best adopted" searched "the best one's head trained last"

# Killed after the first epoch's checkpoint; the next run continues it.
mkdir -p resume
# Two epochs: the resume needs one after the kill, not more.
sed -e 's/seed = 3/seed = 4/' -e 's/epochs = 3/epochs = 2/' -e 's/train = 60%, val = 10%, test = 30%/train = 30%, val = 10%, test = 60%/' \
  train.edl > resume/train.edl
contains "the resumed detector trains on 450 scenes" resume/train.edl "train = 30%, val = 10%, test = 60%"
resume_db=resume/.edl/store.db
"$edlc" run resume/train.edl > killed.out 2>&1 &
pid=$!
wait_for_checkpoint $resume_db $pid
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
expect "the killed detector resumes" 0 "$edlc" run resume/train.edl
contains "the training continues" out "train find: continues after epoch"
expect_sql "one run" $resume_db "SELECT COUNT(*) FROM runs" 1
expect_sql "2 epochs of val.map, once each" $resume_db "SELECT COUNT(DISTINCT epoch) || '/' || COUNT(*) FROM metrics m JOIN tasks t ON t.id = m.task_id WHERE t.name = 'train:find' AND m.name = 'val.map'" "2/2"
expect_sql "evaluated once" $resume_db "SELECT COUNT(*) FROM tasks WHERE name = 'evaluate:find' AND status = 'done'" 1

cat train.edl - > ship.edl <<'EDL'
deploy ship { from = find; targets = [torchscript(), server(), sdk(lang = "cpp"), edge(arch = x86_64)] }
EDL
expect "the detector is packaged" 0 "$edlc" run ship.edl
contains "the package written" out "package ship: $work/dist/ship.tar.gz (torchscript(), server(), sdk(), edge()"
mkdir -p unpacked && tar -xzf dist/ship.tar.gz -C unpacked
# Twelve held-out scenes, and the first of them twice as large (each pixel
# repeated, which shrinking by area undoes exactly).
/usr/bin/python3 - "$scenes/annotations.json" "$scenes/images" <<'PY' > files
import json, sys
coco = json.load(open(sys.argv[1]))
for image in coco["images"][-12:]:
    print(f"{sys.argv[2]}/{image['file_name']}")
PY
/usr/bin/python3 -c "from PIL import Image; im = Image.open('$(head -1 files)'); im.resize((256, 256), Image.NEAREST).save('big.png')"
expect "predict finds objects" 0 "$edlc" predict dist/ship.tar.gz $(cat files) big.png --json
cp out predicted.json
# predict's boxes = the package's module run in Python (used again for Faster R-CNN below).
cat > agree.py <<'PY'
import json, sys
import numpy as np, torch
from PIL import Image
predicted = json.load(open(sys.argv[1]))
manifest = json.load(open(f"{sys.argv[2]}/manifest.json"))
assert manifest["task"] == "detection" and manifest["detection"]["detections"] == 100, manifest
norm = manifest["preprocessing"]["normalize"]
module = torch.jit.load(f"{sys.argv[2]}/model/torchscript.pt")
files = [l.strip() for l in open(sys.argv[3])]
rows = 0
for entry, file in zip(predicted, files):
    pixels = np.asarray(Image.open(file).convert("RGB"), dtype=np.float32).transpose(2, 0, 1)
    mean = np.array(norm["mean"], dtype=np.float32)[:, None, None]; std = np.array(norm["std"], dtype=np.float32)[:, None, None]
    x = torch.from_numpy((pixels / 255 - mean) / std)[None]
    want = module(x)[0]
    got = entry["objects"]
    assert len(got) == want.shape[0] > 0, (file, len(got), want.shape)
    for o, w in zip(got, want.tolist()):
        assert o["index"] == int(w[5]) and o["label"] == manifest["classes"][o["index"]], (o, w)
        assert abs(o["score"] - w[4]) < 1e-3 and max(abs(a - b) for a, b in zip(o["box"], w[:4])) < 0.05, (o, w)
        assert 0 <= o["box"][0] < o["box"][2] <= 128 and 0 <= o["box"][1] < o["box"][3] <= 128, o
        rows += 1
# The large copy: the same objects, in its own pixels.
small, big = predicted[0]["objects"], predicted[-1]["objects"]
assert [b["label"] for b in big] == [s["label"] for s in small], (small[:3], big[:3])
assert all(abs(b - 2 * s) < 0.1 for o, p in zip(big, small) for b, s in zip(o["box"], p["box"])), (small[:3], big[:3])
print(f"predict agrees with the module on {rows} objects")
PY
/usr/bin/python3 agree.py predicted.json unpacked files > agree 2>&1
contains "predict = TorchScript in Python" agree "predict agrees with the module"
expect "predict in text" 0 "$edlc" predict dist/ship.tar.gz "$(head -1 files)"
contains "a line per object with its box" out "$(head -1 files)  $(/usr/bin/python3 -c "import json; print(json.load(open('predicted.json'))[0]['objects'][0]['label'])")"
expect "predict with the edge model" 0 "$edlc" predict dist/ship.tar.gz $(cat files) big.png --json --edge
if cmp -s out predicted.json; then pass=$((pass + 1)); else echo "FAIL the edge model answers differently"; failures=$((failures + 1)); fi

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$edlc" serve dist/ship.tar.gz --port "$port" > serve.out 2>&1 &
server=$!
for _ in $(seq 1200); do grep -q "^serving " serve.out 2>/dev/null && break; kill -0 $server 2>/dev/null || break; sleep 0.1; done
/usr/bin/python3 - "$port" "$(head -1 files)" predicted.json <<'PY' > served 2>&1
import json, sys, urllib.request
request = urllib.request.Request(f"http://127.0.0.1:{sys.argv[1]}/v1/predict", data=open(sys.argv[2], "rb").read(),
                                 headers={"Content-Type": "image/jpeg"})
answer = json.load(urllib.request.urlopen(request, timeout=60))
want = json.load(open(sys.argv[3]))[0]["objects"]
assert [o["label"] for o in answer["objects"]] == [o["label"] for o in want], answer
assert all(abs(a - b) < 1e-4 for o, w in zip(answer["objects"], want) for a, b in zip(o["box"] + [o["score"]], w["box"] + [w["score"]]))
print(f"served {len(answer['objects'])} objects as predict found them")
PY
kill -INT $server; wait $server 2>/dev/null
contains "serve answers {label, score, box}" served "as predict found them"

expect "the SDK configures" 0 cmake -S unpacked/sdk/example -B sdk-build -DCMAKE_BUILD_TYPE=Release
expect "the SDK builds" 0 cmake --build sdk-build -j 2
expect "the SDK detects" 0 sdk-build/detect unpacked $(head -3 files)
/usr/bin/python3 - out predicted.json files <<'PY' > sdk 2>&1
import json, sys
lines = [l.split() for l in open(sys.argv[1])]
files = [l.strip() for l in open(sys.argv[3])][:3]
want = [(f, o) for f, e in zip(files, json.load(open(sys.argv[2]))) for o in e["objects"]]
assert len(lines) == len(want), (len(lines), len(want))
for (f, label, score, *box), (wf, o) in zip(lines, want):
    assert f == wf and label == o["label"] and abs(float(score) - o["score"]) < 1e-3, (f, label, score, o)
    assert max(abs(float(a) - b) for a, b in zip(box, o["box"])) < 0.05, (box, o)
print(f"the SDK found the same {len(lines)} objects")
PY
contains "SDK = predict" sdk "the SDK found the same"

sed 's/edge(arch = x86_64)/edge(arch = x86_64, quantize = int8)/' ship.edl > int8.edl
expect "int8 edge of a detector is refused" 1 "$edlc" check int8.edl
contains "E0518" err "[E0518]"

# Faster R-CNN on all 3,000 scenes learns in one epoch, and its package
# (two traced stages, TorchScript between them) predicts as its module does.
mkdir -p frcnn
sed -e 's/retinanet(anchors = { sizes = \[16, 32, 64\] }, depth = 2, channels = 64)/faster_rcnn(anchors = { sizes = [16, 32, 64] }, channels = 64, proposals = 200, rois = 128, box_width = 256)/' \
  -e 's/epochs = 3/epochs = 1/' -e 's/train = 60%, val = 10%, test = 30%/train = 90%, val = 10%/' \
  -e "s|$work/first.json|$scenes/annotations.json|" ship.edl |
  sed 's/targets = \[.*\]/targets = [torchscript()]/' > frcnn/ship.edl
contains "the faster_rcnn project" frcnn/ship.edl "faster_rcnn(anchors"
contains "on all the scenes" frcnn/ship.edl "$scenes/annotations.json"
expect "a faster_rcnn detector trains and is packaged" 0 "$edlc" run frcnn/ship.edl
contains "its parts named" out "train find: cnn + faster_rcnn"
learned faster_rcnn frcnn/.edl/store.db 0.02
mkdir -p frcnn/unpacked && tar -xzf frcnn/dist/ship.tar.gz -C frcnn/unpacked
expect "faster_rcnn predicts" 0 "$edlc" predict frcnn/dist/ship.tar.gz $(cat files) big.png --json
cp out frcnn/predicted.json
/usr/bin/python3 agree.py frcnn/predicted.json frcnn/unpacked files > frcnn/agree 2>&1
contains "faster_rcnn's predict = its module in Python" frcnn/agree "predict agrees with the module"

echo "detection: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
