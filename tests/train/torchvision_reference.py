#!/usr/bin/env python3
"""Reference answers from torchvision's own ops (python3-torchvision) for
tests/train/DetectOpsTest.cpp: random boxes in clusters (so suppression has
work to do), distinct scores, several labels; torchvision.ops.nms,
batched_nms and box_iou on each. Usage: torchvision_reference.py OUT.json"""
import json
import sys

import torch
from torchvision.ops import batched_nms, box_iou, nms

torch.manual_seed(7)
cases = []
for case in range(60):
    n = int(torch.randint(1, 300, ()).item())
    centres = torch.rand(6, 2) * 200
    which = torch.randint(0, 6, (n,))
    xy = centres[which] + torch.randn(n, 2) * 8
    wh = torch.rand(n, 2) * 40 + 4
    boxes = torch.cat([xy - wh / 2, xy + wh / 2], dim=1)
    scores = torch.randperm(n).float() / n + torch.rand(n) * 1e-4
    labels = torch.randint(0, 4, (n,))
    threshold = [0.3, 0.5, 0.7][case % 3]
    cases.append({
        "boxes": boxes.tolist(), "scores": scores.tolist(), "labels": labels.tolist(), "threshold": threshold,
        "nms": nms(boxes, scores, threshold).tolist(),
        "batched_nms": batched_nms(boxes, scores, labels, threshold).tolist(),
        "iou_row0": box_iou(boxes[:1], boxes)[0].tolist(),
    })
json.dump(cases, open(sys.argv[1], "w"))
