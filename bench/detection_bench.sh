#!/usr/bin/env bash
# Detection against torchvision (issue: object detection), in one run on
# the generated scenes (data/scenes, 128x128, 80% train / 20% val):
#   - edlc trains a RetinaNet (cnn [32, 64, 128, 128] + fpn(64) + head of
#     depth 4, width 64, anchors 16/32/64 x 3 scales x 3 ratios), or with
#     HEAD faster_rcnn a Faster R-CNN on the same backbone, pyramid and
#     anchors (RPN of width 64, 300 proposals, 128 sampled regions, box
#     head of width 256),
#     flip_horizontal(p = 0.5), Adam 0.001, cosine (per step; the script
#     anneals per epoch), batch 16, 2 threads,
#     packages it and runs `edlc predict` on the validation files;
#   - bench/detection_torchvision.py trains torchvision's RetinaNet (or
#     FasterRCNN, with the same settings) with the
#     same backbone, pyramid, head (group norm, as retinanet_resnet50_fpn_v2),
#     anchors, augmentation, optimizer and epochs on the same training files
#     (`edlc data --files train`), and detects on the same validation files;
#   - both sets of detections are scored by the same code (bench/coco_ap.py),
#     and edlc's own val.map50 is printed beside it as a cross-check.
# Training images/s: the median of epochs 2..N of each. Then our NMS and
# RoIAlign (TorchScript methods of the package's module) against
# torchvision's kernels on the same inputs (bench/detect_ops_timing.py).
# Usage: bench/detection_bench.sh [EPOCHS] [retinanet|faster_rcnn]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-6}"
kind="${2:-retinanet}"
case "$kind" in
  retinanet) head="retinanet(anchors = { sizes = [16, 32, 64] }, depth = 4, channels = 64)"; name=RetinaNet ;;
  faster_rcnn)
    head="faster_rcnn(anchors = { sizes = [16, 32, 64] }, channels = 64, proposals = 300, rois = 128, box_width = 256)"
    name="Faster R-CNN" ;;
  *) echo "usage: $0 [EPOCHS] [retinanet|faster_rcnn]" >&2; exit 2 ;;
esac
edlc=$PWD/build/tools/edlc/edlc
out=bench/out/detection-$kind
rm -rf "$out"
mkdir -p "$out"
scenes="$PWD/data/scenes"

cat >"$out/scenes.edl" <<EDL
project "detection-bench" {
  seed    = 11
  store   = "store.db"
  threads = 2
}
dataset scenes {
  source = coco("$scenes/annotations.json", "$scenes/images")
  task   = detection
  split  = { train = 80%, val = 20% }
  image  = { size = 128x128, channels = 3 }
}
augment flip { flip_horizontal(p = 0.5) }
model detector {
  backbone = cnn(channels = [32, 64, 128, 128])
  neck     = fpn(channels = 64)
  head     = $head
}
train find {
  data      = scenes
  augment   = flip
  model     = detector
  optimizer = adam(lr = 0.001)
  schedule  = cosine()
  epochs    = $epochs
  batch     = 16
  metrics   = [loss, map, map50]
}
deploy bench { from = find; targets = [torchscript()]; package = "bench.tar.gz" }
EDL

"$edlc" data "$out/scenes.edl" --files train >"$out/train.txt"
"$edlc" data "$out/scenes.edl" --files val >"$out/val.txt"
"$edlc" run --json "$out/scenes.edl" >"$out/edlc.json"
"$edlc" predict "$out/bench.tar.gz" $(cat "$out/val.txt") --json >"$out/edlc-detections.json"
/usr/bin/python3 bench/detection_torchvision.py "$scenes/annotations.json" "$scenes/images" "$out/train.txt" \
  "$out/val.txt" "$epochs" 2 "$kind" >"$out/torchvision.json" 2>"$out/torchvision.log"
/usr/bin/python3 -c "import json; json.dump(json.load(open('$out/torchvision.json'))['detections'], open('$out/torchvision-detections.json', 'w'))"

ours_rate=$("$edlc" runs show 1 --store "$out/store.db" --format json | /usr/bin/python3 -c '
import json, statistics, sys
run = json.load(sys.stdin)
print(statistics.median(m["value"] for t in run["tasks"] for m in t["metrics"]
                        if m["name"] == "images_per_second" and m["epoch"] > 1))')
torch_rate=$(/usr/bin/python3 -c "import json, statistics; print(statistics.median(json.load(open('$out/torchvision.json'))['images_per_second'][1:]))")
own_map50=$(/usr/bin/python3 -c "import json; print(json.load(open('$out/edlc.json'))['trains'][0]['val']['map50'])")
read -r ours_map50 ours_map < <(/usr/bin/python3 bench/coco_ap.py "$scenes/annotations.json" "$out/edlc-detections.json" |
  /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["map50"], r["map"])')
read -r torch_map50 torch_map < <(/usr/bin/python3 bench/coco_ap.py "$scenes/annotations.json" "$out/torchvision-detections.json" |
  /usr/bin/python3 -c 'import json, sys; r = json.load(sys.stdin); print(r["map50"], r["map"])')

printf '%-40s %10s %8s %8s\n' "$name, $epochs epochs, $(wc -l <"$out/val.txt") val images" "train img/s" "mAP@.5" "mAP"
printf '%-40s %10.1f %8.4f %8.4f   (its own val.map50 %.4f)\n' "edlc run" "$ours_rate" "$ours_map50" "$ours_map" "$own_map50"
printf '%-40s %10.1f %8.4f %8.4f\n' "torchvision $name, plain script" "$torch_rate" "$torch_map50" "$torch_map"
/usr/bin/python3 -c "print(f'ratios vs torchvision: training {$ours_rate / $torch_rate:.2f}x images/s, mAP@.5 {$ours_map50 / max($torch_map50, 1e-9):.2f}x, mAP {$ours_map / max($torch_map, 1e-9):.2f}x')"
echo
mkdir -p "$out/unpacked" && tar -xzf "$out/bench.tar.gz" -C "$out/unpacked"
/usr/bin/python3 bench/detect_ops_timing.py "$out/unpacked/model/torchscript.pt" 2
