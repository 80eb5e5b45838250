#!/usr/bin/python3
"""The detection benchmark's baseline: bench/detection_bench.sh's detector
written as a plain PyTorch script on torchvision's RetinaNet (the model of
retinanet_resnet50_fpn_v2, with the same small backbone, pyramid, head and
anchors as the edlc job) or FasterRCNN (the same backbone and pyramid,
RPN, RoIAlign box head of the same width, proposals and sampled regions),
trained on the same training files, then run on the validation files.
Prints one JSON object: training images/s per epoch, and every validation
image's detections.
Usage: detection_torchvision.py ANNOTATIONS IMAGES TRAIN_LIST VAL_LIST EPOCHS THREADS [retinanet|faster_rcnn]"""
import functools
import json
import math
import os
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.models.detection import FasterRCNN, RetinaNet
from torchvision.models.detection.anchor_utils import AnchorGenerator
from torchvision.models.detection.faster_rcnn import FastRCNNPredictor, TwoMLPHead
from torchvision.models.detection.retinanet import RetinaNetHead
from torchvision.ops import MultiScaleRoIAlign
from torchvision.ops.feature_pyramid_network import ExtraFPNBlock, FeaturePyramidNetwork


class Cnn(nn.Module):
    """edlc's cnn(channels = [32, 64, 128, 128]): conv 3x3, batch norm, ReLU, max pool 2, per stage;
    the stride-8 and stride-16 maps feed the pyramid, as edlc's detector taps them."""

    def __init__(self, channels=(32, 64, 128, 128)):
        super().__init__()
        stages, previous = [], 3
        for c in channels:
            stages.append(nn.Sequential(nn.Conv2d(previous, c, 3, padding=1, bias=False), nn.BatchNorm2d(c), nn.ReLU(),
                                        nn.MaxPool2d(2)))
            previous = c
        self.stages = nn.ModuleList(stages)

    def forward(self, x):
        taps = OrderedDict()
        for i, stage in enumerate(self.stages):
            x = stage(x)
            if i >= 2:
                taps[str(i)] = x
        return taps


class OneMoreLevel(ExtraFPNBlock):
    """A stride-2 convolution on the coarsest level (RetinaNet's P6): three levels for three anchor sizes."""

    def __init__(self, channels):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, results, x, names):
        return results + [self.conv(results[-1])], names + ["extra"]


class Backbone(nn.Module):
    def __init__(self, fpn_channels=64):
        super().__init__()
        self.body = Cnn()
        self.fpn = FeaturePyramidNetwork([128, 128], fpn_channels, extra_blocks=OneMoreLevel(fpn_channels))
        self.out_channels = fpn_channels

    def forward(self, x):
        return self.fpn(self.body(x))


def load(path):
    return torch.from_numpy(np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255).permute(2, 0, 1)


def main():
    annotations, images, train_list, val_list = sys.argv[1:5]
    epochs, threads = int(sys.argv[5]), int(sys.argv[6])
    kind = sys.argv[7] if len(sys.argv) > 7 else "retinanet"
    shift = 1 if kind == "faster_rcnn" else 0  # Faster R-CNN's labels count from 1 (0: background); edlc's from 0
    torch.set_num_threads(threads)
    torch.manual_seed(11)
    coco = json.load(open(annotations))
    by_file = {img["file_name"]: img["id"] for img in coco["images"]}
    objects = {}
    for a in coco["annotations"]:
        x, y, w, h = a["bbox"]
        objects.setdefault(a["image_id"], []).append(([x, y, x + w, y + h], a["category_id"]))
    categories = sorted(c["id"] for c in coco["categories"])
    label_of = {c: i for i, c in enumerate(categories)}

    def targets(path):
        found = objects.get(by_file[os.path.basename(path)], [])
        return {"boxes": torch.tensor([b for b, _ in found], dtype=torch.float32).view(-1, 4),
                "labels": torch.tensor([label_of[c] + shift for _, c in found], dtype=torch.int64)}

    train = [l.strip() for l in open(train_list) if l.strip()]
    val = [l.strip() for l in open(val_list) if l.strip()]
    train_images = [load(p) for p in train]  # decoded once, as edlc's cache does
    train_targets = [targets(p) for p in train]

    sizes = (16, 32, 64)
    scales = (1.0, 1.26, 1.587)
    anchors = AnchorGenerator(tuple(tuple(s * k for k in scales) for s in sizes), ((0.5, 1.0, 2.0),) * len(sizes))
    head = RetinaNetHead(64, anchors.num_anchors_per_location()[0], len(categories),
                         norm_layer=functools.partial(nn.GroupNorm, 32))
    model = RetinaNet(Backbone(), len(categories), min_size=128, max_size=128, anchor_generator=anchors, head=head,
                      score_thresh=0.05, nms_thresh=0.5, detections_per_img=100, topk_candidates=1000)
    if kind == "faster_rcnn":
        model = FasterRCNN(Backbone(), None, min_size=128, max_size=128, rpn_anchor_generator=anchors,
                           rpn_pre_nms_top_n_train=300, rpn_pre_nms_top_n_test=300, rpn_post_nms_top_n_train=300,
                           rpn_post_nms_top_n_test=300, box_batch_size_per_image=128,
                           box_roi_pool=MultiScaleRoIAlign(["2", "3", "extra"], 7, 2),
                           box_head=TwoMLPHead(64 * 7 * 7, 256), box_predictor=FastRCNNPredictor(256, len(categories) + 1),
                           box_score_thresh=0.05, box_nms_thresh=0.5, box_detections_per_img=100)
    opt = torch.optim.Adam(model.parameters(), lr=0.001)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs)
    rates = []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(len(train)).tolist()
        start = time.perf_counter()
        for first in range(0, len(order), 16):
            batch = order[first:first + 16]
            xs, ts = [], []
            for i in batch:
                x, t = train_images[i], dict(train_targets[i])
                if torch.rand(()) < 0.5:  # flip_horizontal(p = 0.5), boxes with it
                    x = x.flip(-1)
                    b = t["boxes"].clone()
                    b[:, [0, 2]] = x.shape[-1] - t["boxes"][:, [2, 0]]
                    t["boxes"] = b
                xs.append(x)
                ts.append(t)
            losses = model(xs, ts)
            loss = sum(losses.values())
            opt.zero_grad()
            loss.backward()
            opt.step()
        rates.append(len(order) / (time.perf_counter() - start))
        schedule.step()
        print(f"epoch {len(rates)}: {rates[-1]:.1f} images/s, loss {loss.item():.4f}", file=sys.stderr)
    model.eval()
    detections = []
    with torch.no_grad():
        for first in range(0, len(val), 64):
            paths = val[first:first + 64]
            for path, out in zip(paths, model([load(p) for p in paths])):
                detections.append({"file": path, "objects": [
                    {"index": int(l) - shift, "score": float(s), "box": [float(v) for v in b]}
                    for b, s, l in zip(out["boxes"], out["scores"], out["labels"])]})
    print(json.dumps({"images_per_second": rates, "detections": detections}))


if __name__ == "__main__":
    main()
