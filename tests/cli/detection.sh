#!/usr/bin/env bash
# Detection end to end on the generated scenes (data/scenes: Fashion-MNIST
# items on scikit-image photographs, COCO boxes):
#  - `edlc data` counts every object of the COCO file per class, split and
#    COCO size, in text and JSON, equal to a count made here from the file;
#  - bad annotations are skipped with their reasons, a file that is not COCO
#    stops with E0820, a classification task on COCO data is E0513;
#  - `edlc preview` draws the boxes through an augment block's warp and
#    refuses a block that blends images.
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

echo "detection: $pass checks passed, $failures failed"
[ "$failures" -eq 0 ]
