#!/usr/bin/python3
"""The benchmark's baseline: the job of bench/train_bench.sh written as a
plain PyTorch script (torchvision transforms, ImageFolder, DataLoader).
Prints one JSON line: training images/s per epoch and validation accuracy.
Usage: train_pytorch.py DATA_DIR EPOCHS THREADS WORKERS"""
import json
import sys
import time

import torch
import torchvision
from torch import nn
from torchvision import transforms


def main():
    data_dir, epochs, threads, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(42)
    augment = transforms.Compose([
        transforms.Grayscale(1),
        transforms.Resize((32, 32)),
        transforms.RandomRotation(15, interpolation=transforms.InterpolationMode.BILINEAR),
        transforms.RandomHorizontalFlip(),
        transforms.ColorJitter(brightness=0.2, contrast=0.2),
        transforms.ToTensor(),
        transforms.Normalize([0.3], [0.35]),
    ])
    plain = transforms.Compose([transforms.Grayscale(1), transforms.Resize((32, 32)), transforms.ToTensor(),
                                transforms.Normalize([0.3], [0.35])])
    full = torchvision.datasets.ImageFolder(data_dir)
    order = torch.randperm(len(full), generator=torch.Generator().manual_seed(42)).tolist()
    cut = int(0.8 * len(order))
    train = torch.utils.data.Subset(torchvision.datasets.ImageFolder(data_dir, augment), order[:cut])
    val = torch.utils.data.Subset(torchvision.datasets.ImageFolder(data_dir, plain), order[cut:])
    loader = torch.utils.data.DataLoader(train, batch_size=64, shuffle=True, num_workers=workers)
    val_loader = torch.utils.data.DataLoader(val, batch_size=256, num_workers=workers)

    def stage(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]

    model = nn.Sequential(*stage(1, 32), *stage(32, 64), nn.Flatten(), nn.Linear(64 * 8 * 8, 128), nn.ReLU(),
                          nn.Linear(128, len(full.classes)))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    rates = []
    for _ in range(epochs):
        model.train()
        start, seen = time.perf_counter(), 0
        for x, y in loader:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
            seen += len(y)
        rates.append(seen / (time.perf_counter() - start))
    model.eval()
    right = total = 0
    with torch.no_grad():
        for x, y in val_loader:
            right += (model(x).argmax(1) == y).sum().item()
            total += len(y)
    print(json.dumps({"images_per_second": rates, "val_accuracy": right / total}))


if __name__ == "__main__":
    main()
