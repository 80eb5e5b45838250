#!/usr/bin/python3
"""The distributed bench's peer: the same model and batches trained with
plain PyTorch DistributedDataParallel over Gloo, two processes on this
machine (torch.multiprocessing, TCP rendezvous on loopback), SGD with a
cosine schedule per step, one thread
each, images preloaded into memory so only training is timed.
Prints one JSON line: training images/s per epoch (both ranks together)
and validation accuracy.
Usage: distributed_pytorch.py DATA_DIR EPOCHS BATCH"""
import json
import math
import os
import queue
import socket
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from PIL import Image
from torch import nn


def load(data_dir):
    classes = sorted(d for d in os.listdir(data_dir) if os.path.isdir(os.path.join(data_dir, d)))
    xs, ys = [], []
    for label, name in enumerate(classes):
        folder = os.path.join(data_dir, name)
        for f in sorted(os.listdir(folder)):
            img = Image.open(os.path.join(folder, f)).convert("L").resize((28, 28))
            xs.append(np.asarray(img, dtype=np.float32) / 255.0)
            ys.append(label)
    x = torch.from_numpy(np.stack(xs)).unsqueeze(1)
    return x, torch.tensor(ys), len(classes)


def model_of(classes):
    def stage(i, o):
        return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU(), nn.MaxPool2d(2)]
    return nn.Sequential(*stage(1, 32), *stage(32, 64), nn.Flatten(), nn.Linear(64 * 7 * 7, 128), nn.ReLU(),
                         nn.Linear(128, classes))


def worker(rank, world, port, data, epochs, batch, out):
    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"tcp://127.0.0.1:{port}", rank=rank, world_size=world)
    x, y, classes = data
    order = torch.randperm(len(y), generator=torch.Generator().manual_seed(7))
    cut = int(0.8 * len(order))
    train, val = order[:cut], order[cut:]
    torch.manual_seed(7)
    model = nn.parallel.DistributedDataParallel(model_of(classes))
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()
    local = batch // world
    steps = (len(train) // world + local - 1) // local  # per epoch
    # A cosine from 0.05 to 0 over every step, as edlc's schedule = cosine().
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda step: 0.5 * (1 + math.cos(math.pi * step / (epochs * steps))))
    rates = []
    for epoch in range(epochs):
        model.train()
        g = torch.Generator().manual_seed(100 + epoch)  # the same shuffle on every rank, as DistributedSampler
        mine = train[torch.randperm(len(train), generator=g)][rank::world]
        dist.barrier()
        start, seen = time.perf_counter(), 0
        for i in range(0, len(mine), local):
            idx = mine[i:i + local]
            opt.zero_grad()
            loss_fn(model(x[idx]), y[idx]).backward()
            opt.step()
            sched.step()
            seen += len(idx)
        dist.barrier()
        rates.append(seen * world / (time.perf_counter() - start))
    if rank == 0:
        # The module itself: DDP's forward would sync buffers with rank 1, gone by now.
        net = model.module.eval()
        with torch.no_grad():
            right = sum((net(x[val[i:i + 512]]).argmax(1) == y[val[i:i + 512]]).sum().item()
                        for i in range(0, len(val), 512))
        out.put({"images_per_second": rates, "val_accuracy": right / len(val)})
    dist.destroy_process_group()


def main():
    data_dir, epochs, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    data = load(data_dir)
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=worker, args=(r, 2, port, data, epochs, batch, out)) for r in range(2)]
    for p in procs:
        p.start()
    result = None
    while result is None:  # a rank that failed ends the bench instead of leaving it waiting
        try:
            result = out.get(timeout=5)
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in procs):
                for p in procs:
                    p.kill()
                sys.exit("distributed_pytorch.py: a rank failed")
    for p in procs:
        p.join()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
