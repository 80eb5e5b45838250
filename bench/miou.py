#!/usr/bin/python3
"""Scores label maps against the true masks, the same way for every
contender of bench/segmentation_bench.sh: a pixel confusion matrix over
the validation images (pixels of 255 left out), mean IoU over the classes
present or predicted, and pixel accuracy. Prints one JSON object.
Usage: miou.py MASKS PREDICTED_DIR VAL_LIST CLASSES"""
import json
import os
import sys

import numpy as np
from PIL import Image


def main():
    masks, predicted, val_list, classes = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    confusion = np.zeros((classes, classes), dtype=np.int64)
    for f in (l.strip() for l in open(val_list) if l.strip()):
        stem = os.path.splitext(os.path.basename(f))[0]
        truth = np.asarray(Image.open(os.path.join(masks, stem + ".png"))).astype(np.int64)
        guess = np.asarray(Image.open(os.path.join(predicted, stem + ".mask.png"))).astype(np.int64)
        keep = truth != 255
        confusion += np.bincount(truth[keep] * classes + guess[keep], minlength=classes * classes).reshape(classes, classes)
    hits = np.diag(confusion)
    union = confusion.sum(0) + confusion.sum(1) - hits
    iou = hits[union > 0] / union[union > 0]
    print(json.dumps({"miou": float(iou.mean()), "pixel_accuracy": float(hits.sum() / confusion.sum()),
                      "per_class": [float(h / u) if u else -1.0 for h, u in zip(hits, union)]}))


if __name__ == "__main__":
    main()
