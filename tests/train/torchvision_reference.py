#!/usr/bin/env python3
"""Reference answers from torchvision's own ops (python3-torchvision) for
tests/train/DetectOpsTest.cpp: random boxes in clusters (so suppression has
work to do), distinct scores, several labels; torchvision.ops.nms,
batched_nms and box_iou on each. And roi_align on random feature maps with
regions inside, across and beyond their edges, aligned and not.
Usage: torchvision_reference.py OUT.json ROI_OUT.pt"""
import json
import sys

import torch
from torchvision.ops import batched_nms, box_iou, nms, roi_align

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

# roi_align: 2 images of 5 channels, 13 x 17; 40 regions in map pixels x 4 (spatial_scale 0.25).
features = torch.randn(2, 5, 13, 17)
xy = torch.rand(40, 2) * torch.tensor([17.0, 13.0]) * 4 * 1.3 - 8
wh = torch.rand(40, 2) * 40 + 0.5
rois = torch.cat([torch.randint(0, 2, (40, 1)).float(), xy, xy + wh], dim=1)
rois[0, 1:] = torch.tensor([10.0, 10.0, 10.0, 10.0])  # an empty region
answers = {"features": features, "rois": rois}
for output_size in (2, 7):
    for sampling_ratio in (1, 2):
        for aligned in (False, True):
            answers[f"{output_size}-{sampling_ratio}-{int(aligned)}"] = roi_align(
                features, rois, output_size, 0.25, sampling_ratio, aligned)
torch.save(answers, sys.argv[2])
