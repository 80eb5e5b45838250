#!/usr/bin/python3
"""COCO's box AP for the detection benchmark, written once so both detectors
are scored by the same code: per class, detections of all images in score
order, each matched greedily to the best unmatched object of its class at
IoU >= t, precision made non-increasing, read at 101 recall points; the mean
over classes with objects; mAP@[.5:.95] averages thresholds .50 to .95.
(No crowd regions or area ranges: the generated scenes have none.)
Usage: coco_ap.py ANNOTATIONS DETECTIONS.json → prints {"map": .., "map50": ..}
DETECTIONS.json: [{"file", "objects": [{"index", "score", "box"}]}], as
`edlc predict --json` writes them; `index` is the category's position in
the sorted category ids."""
import json
import os
import sys

import numpy as np


def iou(a, b):
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def average_precision(truths, found, threshold):
    """truths: {image: [box]}, found: [(score, image, box)] of one class."""
    total = sum(len(v) for v in truths.values())
    if total == 0:
        return None
    used = {k: [False] * len(v) for k, v in truths.items()}
    hits = []
    for score, image, box in sorted(found, key=lambda f: -f[0]):
        best, which = threshold, -1
        for j, t in enumerate(truths.get(image, [])):
            if not used[image][j]:
                o = iou(box, t)
                if o >= best:
                    best, which = o, j
        if which >= 0:
            used[image][which] = True
        hits.append(which >= 0)
    tp = np.cumsum(hits)
    recall = tp / total
    precision = tp / np.arange(1, len(hits) + 1)
    for i in range(len(precision) - 2, -1, -1):
        precision[i] = max(precision[i], precision[i + 1])
    points = np.linspace(0, 1, 101)
    at = np.searchsorted(recall, points, side="left")
    return float(np.mean([precision[i] if i < len(precision) else 0.0 for i in at]))


def main():
    coco = json.load(open(sys.argv[1]))
    detections = json.load(open(sys.argv[2]))
    categories = sorted(c["id"] for c in coco["categories"])
    id_of = {img["file_name"]: img["id"] for img in coco["images"]}
    scored = {id_of[os.path.basename(d["file"])] for d in detections}
    truths = {c: {} for c in categories}
    for a in coco["annotations"]:
        if a["image_id"] in scored:
            x, y, w, h = a["bbox"]
            truths[a["category_id"]].setdefault(a["image_id"], []).append([x, y, x + w, y + h])
    found = {c: [] for c in categories}
    for d in detections:
        image = id_of[os.path.basename(d["file"])]
        for o in d["objects"][:100]:
            found[categories[o["index"]]].append((o["score"], image, o["box"]))
    result = {}
    for name, thresholds in (("map50", [0.5]), ("map", [0.5 + 0.05 * i for i in range(10)])):
        per_threshold = []
        for t in thresholds:
            aps = [average_precision(truths[c], found[c], t) for c in categories]
            per_threshold.append(np.mean([a for a in aps if a is not None]))
        result[name] = float(np.mean(per_threshold))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
