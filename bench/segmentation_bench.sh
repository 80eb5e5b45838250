#!/usr/bin/env bash
# Segmentation against torchvision (issue: semantic segmentation), in one
# run on the generated scenes (data/scenes, 128x128, 80% train / 20% val,
# 11 classes with the background):
#   - edlc trains resnet18 + fcn() and resnet18 + unet() (flip_horizontal,
#     Adam 0.001, cosine per step, batch 16, 2 threads, one job at a time),
#     packages both and writes their label maps of the validation files
#     with `edlc predict --masks`;
#   - bench/segmentation_torchvision.py trains torchvision's FCN (FCNHead on
#     resnet18's last stage) with the same normalisation, augmentation,
#     optimizer, schedule (per step), batch and epochs on the same training
#     files (`edlc data --files train`) and writes its label maps;
#   - every contender's maps are scored by the same code (bench/miou.py);
#     edlc's own val.miou is printed beside it as a cross-check.
# Training images/s: the median of epochs 2..N of each.
# Usage: bench/segmentation_bench.sh [EPOCHS]
set -euo pipefail
cd "$(dirname "$0")/.."
epochs="${1:-6}"
edlc=$PWD/build/tools/edlc/edlc
out=bench/out/segmentation
rm -rf "$out"
mkdir -p "$out"
scenes="$PWD/data/scenes"

cat >"$out/scenes.edl" <<EDL
project "segmentation-bench" {
  seed     = 11
  store    = "store.db"
  threads  = 2
  workflow = { parallel = 1 }
}
dataset scenes {
  source  = mask_folder("$scenes/images", "$scenes/masks")
  task    = segmentation
  split   = { train = 80%, val = 20% }
  image   = { size = 128x128, channels = 3 }
  classes = ["background", "t-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle-boot"]
}
augment flip { flip_horizontal(p = 0.5) }
model fcn_net { backbone = resnet18(); head = fcn() }
model unet_net { backbone = resnet18(); head = unet() }
train fcn_job {
  data = scenes; augment = flip; model = fcn_net
  optimizer = adam(lr = 0.001); schedule = cosine(); epochs = $epochs; batch = 16
  metrics = [loss, miou, pixel_accuracy]
}
train unet_job {
  data = scenes; augment = flip; model = unet_net
  optimizer = adam(lr = 0.001); schedule = cosine(); epochs = $epochs; batch = 16
  metrics = [loss, miou, pixel_accuracy]
}
deploy fcn_pkg { from = fcn_job; targets = [torchscript()]; package = "fcn.tar.gz" }
deploy unet_pkg { from = unet_job; targets = [torchscript()]; package = "unet.tar.gz" }
EDL

"$edlc" data "$out/scenes.edl" --files train >"$out/train.txt"
"$edlc" data "$out/scenes.edl" --files val >"$out/val.txt"
"$edlc" run --json "$out/scenes.edl" >"$out/edlc.json"
for job in fcn unet; do
  "$edlc" predict "$out/$job.tar.gz" $(cat "$out/val.txt") --masks "$out/$job-maps" --json >/dev/null
done
/usr/bin/python3 bench/segmentation_torchvision.py "$scenes/masks" "$out/train.txt" "$out/val.txt" "$epochs" 2 \
  "$out/torchvision-maps" 11 >"$out/torchvision.json" 2>"$out/torchvision.log"

rate_of() {  # rate_of JOB: edlc's median training images/s of epochs 2..N
  "$edlc" runs show 1 --store "$out/store.db" --format json | /usr/bin/python3 -c '
import json, statistics, sys
run = json.load(sys.stdin)
print(statistics.median(m["value"] for t in run["tasks"] if t["name"] == "train:" + sys.argv[1] for m in t["metrics"]
                        if m["name"] == "images_per_second" and m["epoch"] > 1))' "$1"
}
score() { /usr/bin/python3 bench/miou.py "$scenes/masks" "$1" "$out/val.txt" 11; }
field() { /usr/bin/python3 -c "import json, sys; print(json.loads(sys.argv[1])['$2'])" "$1"; }
own() { /usr/bin/python3 -c "import json; print(next(t['val']['miou'] for t in json.load(open('$out/edlc.json'))['trains'] if t['name'] == '$1'))"; }

torch_rate=$(/usr/bin/python3 -c "import json, statistics; print(statistics.median(json.load(open('$out/torchvision.json'))['images_per_second'][1:]))")
torch_score=$(score "$out/torchvision-maps")
printf '%-44s %10s %8s %8s\n' "resnet18, $epochs epochs, $(wc -l <"$out/val.txt") val images" "train img/s" "mIoU" "pixel acc"
for job in fcn unet; do
  rate=$(rate_of ${job}_job)
  s=$(score "$out/$job-maps")
  printf '%-44s %10.1f %8.4f %8.4f   (its own val.miou %.4f)\n' "edlc run, $job()" "$rate" "$(field "$s" miou)" \
    "$(field "$s" pixel_accuracy)" "$(own ${job}_job)"
  eval "${job}_rate=$rate ${job}_miou=$(field "$s" miou)"
done
printf '%-44s %10.1f %8.4f %8.4f\n' "torchvision FCN, plain script" "$torch_rate" "$(field "$torch_score" miou)" \
  "$(field "$torch_score" pixel_accuracy)"
torch_miou=$(field "$torch_score" miou)
/usr/bin/python3 -c "
for job, rate, miou in (('fcn', $fcn_rate, $fcn_miou), ('unet', $unet_rate, $unet_miou)):
    print(f'{job}() vs torchvision FCN: training {rate / $torch_rate:.2f}x images/s, mIoU {miou / max($torch_miou, 1e-9):.2f}x')"
