#!/usr/bin/python3
"""The segmentation benchmark's baseline: bench/segmentation_bench.sh's job
written as a plain PyTorch script on torchvision's FCN (the model of
fcn_resnet50: FCNHead on the backbone's last stage, scores upsampled to the
input) with a resnet18 backbone, the size edlc's job uses; trained from
scratch on the same training files with the same normalisation (the
training split's per-channel mean and std), augmentation (horizontal flip),
optimizer, schedule, batch and epochs, then run on the validation files.
Writes each validation image's label map (STEM.mask.png) into OUT and
prints one JSON object: training images/s per epoch.
Usage: segmentation_torchvision.py MASKS TRAIN_LIST VAL_LIST EPOCHS THREADS OUT CLASSES"""
import json
import math
import os
import sys
import time

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.models import resnet18
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.segmentation.fcn import FCN, FCNHead


def load(files, masks):
    images = np.stack([np.asarray(Image.open(f).convert("RGB")) for f in files])
    labels = np.stack([np.asarray(Image.open(os.path.join(masks, os.path.splitext(os.path.basename(f))[0] + ".png")))
                       for f in files])
    return images, labels


def main():
    masks, train_list, val_list, epochs, threads, out, classes = sys.argv[1:8]
    epochs, classes = int(epochs), int(classes)
    torch.set_num_threads(int(threads))
    torch.manual_seed(11)
    train_files = [l.strip() for l in open(train_list) if l.strip()]
    val_files = [l.strip() for l in open(val_list) if l.strip()]
    images, labels = load(train_files, masks)
    pixels = images.reshape(-1, 3).astype(np.float64) / 255
    mean, std = pixels.mean(0), pixels.std(0)
    norm = lambda x: (torch.from_numpy(x).permute(0, 3, 1, 2).float() / 255 - torch.tensor(mean).float()[:, None, None]) \
        / torch.tensor(std).float()[:, None, None]

    backbone = IntermediateLayerGetter(resnet18(weights=None), return_layers={"layer4": "out"})
    model = FCN(backbone, FCNHead(512, classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.001)
    loss_fn = nn.CrossEntropyLoss(ignore_index=255)
    steps = math.ceil(len(train_files) / 16)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, epochs * steps)
    rates = []
    rng = np.random.default_rng(11)
    for epoch in range(epochs):
        model.train()
        order = rng.permutation(len(train_files))
        started = time.perf_counter()
        for b in range(steps):
            pick = order[b * 16:(b + 1) * 16]
            x, y = images[pick].copy(), labels[pick].copy()
            flip = rng.random(len(pick)) < 0.5
            x[flip], y[flip] = x[flip][:, :, ::-1], y[flip][:, :, ::-1]
            loss = loss_fn(model(norm(x))["out"], torch.from_numpy(y.astype(np.int64)))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            schedule.step()
        rates.append(len(train_files) / (time.perf_counter() - started))
        print(f"epoch {epoch + 1}/{epochs}: loss {loss.item():.4f}, {rates[-1]:.1f} images/s", file=sys.stderr)

    model.eval()
    os.makedirs(out, exist_ok=True)
    with torch.no_grad():
        for start in range(0, len(val_files), 64):
            chunk = val_files[start:start + 64]
            x = np.stack([np.asarray(Image.open(f).convert("RGB")) for f in chunk])
            predicted = model(norm(x))["out"].argmax(1).numpy().astype(np.uint8)
            for f, p in zip(chunk, predicted):
                Image.fromarray(p).save(os.path.join(out, os.path.splitext(os.path.basename(f))[0] + ".mask.png"))
    print(json.dumps({"images_per_second": rates}))


if __name__ == "__main__":
    main()
