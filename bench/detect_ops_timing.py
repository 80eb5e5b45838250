#!/usr/bin/python3
"""Our box ops against torchvision's, in one process on the same inputs:
edlc's NMS and RoIAlign are TorchScript methods of every detector package's
module (compiler/lower/torch/DetectOps.cpp), torchvision's are its C++
kernels. One call is one image's work: NMS over 1,000 clustered candidates,
RoIAlign of 512 regions (7 x 7, sampling ratio 2) from a 64-channel 32 x 32
map. Prints calls/s of each and the ratios.
Usage: detect_ops_timing.py PACKAGE_MODULE.pt THREADS"""
import sys
import time

import torch
from torchvision.ops import nms, roi_align

torch.set_num_threads(int(sys.argv[2]))
torch.manual_seed(5)
module = torch.jit.load(sys.argv[1])
ours_nms = module._c._get_method("nms")
ours_roi = module._c._get_method("roi_align")

centres = torch.rand(30, 2) * 120
xy = centres[torch.randint(0, 30, (1000,))] + torch.randn(1000, 2) * 6
wh = torch.rand(1000, 2) * 30 + 6
boxes = torch.cat([xy - wh / 2, xy + wh / 2], 1)
scores = torch.rand(1000)
features = torch.randn(1, 64, 32, 32)
rxy = torch.rand(512, 2) * 100
rois = torch.cat([torch.zeros(512, 1), rxy, rxy + torch.rand(512, 2) * 40 + 4], 1)
assert torch.equal(ours_nms(boxes, scores, 0.5), nms(boxes, scores, 0.5))
assert torch.allclose(ours_roi(features, rois, 7, 0.25, 2, True), roi_align(features, rois, 7, 0.25, 2, True), atol=1e-5)


def rate(call, seconds=2.0):
    for _ in range(3):
        call()
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        call()
        n += 1
    return n / (time.perf_counter() - start)


rows = [("NMS, 1,000 boxes", lambda: ours_nms(boxes, scores, 0.5), lambda: nms(boxes, scores, 0.5)),
        ("RoIAlign, 512 regions", lambda: ours_roi(features, rois, 7, 0.25, 2, True),
         lambda: roi_align(features, rois, 7, 0.25, 2, True))]
print(f"{'op (one image)':28} {'edlc calls/s':>13} {'torchvision':>12} {'ratio':>7}")
for name, ours, theirs in rows:
    a, b = rate(ours), rate(theirs)
    print(f"{name:28} {a:13.0f} {b:12.0f} {a / b:7.2f}x")
