"""PyTorch probe behind PaddingOnlyTapTrimming: one DeepLab ASPP branch (3x3, 2048 -> 256 channels) on the 16x16 map
of a 256x256 batch of 8 (output stride 16), at each ASPP rate, against the 1x1 convolution of its centre tap, which is
what the rate-18 branch computes there (its outer taps read only zero padding). Forward alone and forward + backward,
milliseconds, libtorch's own kernels.

usage: /usr/bin/python3 build/bench/dilated_taps_probe.py [--batch 8] [--map 16] [--threads 2]
"""
import argparse
import time

import torch
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=8)
p.add_argument("--map", type=int, default=16)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()
torch.set_num_threads(a.threads)
x = torch.randn(a.batch, 2048, a.map, a.map, requires_grad=True)
w = torch.randn(256, 2048, 3, 3, requires_grad=True)


def milliseconds(step, repeats=5):
    for _ in range(2):
        step()
    start = time.perf_counter()
    for _ in range(repeats):
        step()
    return round((time.perf_counter() - start) / repeats * 1000, 1)


for rate in (6, 12, 18):
    forward = milliseconds(lambda: F.conv2d(x.detach(), w.detach(), padding=rate, dilation=rate))
    both = milliseconds(lambda: F.conv2d(x, w, padding=rate, dilation=rate).sum().backward())
    print(f"3x3 rate {rate}: forward {forward} ms, forward + backward {both} ms")
centre = lambda: w[:, :, 1:2, 1:2]
forward = milliseconds(lambda: F.conv2d(x.detach(), centre().detach()))
both = milliseconds(lambda: F.conv2d(x, centre()).sum().backward())
print(f"1x1 centre tap: forward {forward} ms, forward + backward {both} ms")
