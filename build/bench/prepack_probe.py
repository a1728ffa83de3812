#!/usr/bin/python3
"""PyTorch probe behind PrepackedKernelConvolution: inference with every nn.Conv2d kernel reordered once by
aten::mkldnn_reorder_conv2d_weight and passed to aten::mkldnn_convolution with a dense input, against eager.
Also FCN's fc6 alone (7x7, 512 -> 4096 on a 15x15 map). Prints ms (median) and the largest difference.

usage: /usr/bin/python3 build/bench/prepack_probe.py [--batch 1] [--size 256] [--arch fcn8s,segnet,deeplabv3plus,unet]
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import BUILDERS  # noqa: E402


def median_ms(fn, repeats=7):
    fn()
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return sorted(times)[repeats // 2] * 1000


def reorder(weight, padding, stride, dilation, groups):
    return torch._C._nn.mkldnn_reorder_conv2d_weight(weight.to_mkldnn(), padding, stride, dilation, groups)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--arch", default="fcn8s,segnet,deeplabv3plus,unet")
    a = p.parse_args()
    torch.set_num_threads(os.cpu_count())
    torch.manual_seed(0)
    with torch.no_grad():
        x = torch.rand(1, 512, 15, 15)
        w = torch.randn(4096, 512, 7, 7) * 0.01
        b = torch.zeros(4096)
        args = ([0, 0], [1, 1], [1, 1], 1)
        dense = torch.mkldnn_convolution(x, w, b, *args)
        packed = reorder(w, *args)
        print(f"fc6 alone: dense kernel {median_ms(lambda: torch.mkldnn_convolution(x, w, b, *args)):.0f} ms, "
              f"reordered kernel {median_ms(lambda: torch.mkldnn_convolution(x, packed, b, *args)):.0f} ms, "
              f"max diff {(torch.mkldnn_convolution(x, packed, b, *args) - dense).abs().max().item():.2e}", flush=True)

    eager = nn.Conv2d.forward

    def prepacked(self, inp):
        if isinstance(self.padding, str):
            return eager(self, inp)
        if not hasattr(self, "_reordered"):
            self._reordered = reorder(self.weight, self.padding, self.stride, self.dilation, self.groups)
        return torch.mkldnn_convolution(inp.contiguous(), self._reordered, self.bias, self.padding, self.stride,
                                        self.dilation, self.groups)

    for arch in a.arch.split(","):
        torch.manual_seed(0)
        model = BUILDERS[arch](21).eval()
        images = torch.rand(a.batch, 3, a.size, a.size)
        with torch.no_grad():
            nn.Conv2d.forward = eager
            reference = model(images)
            eager_ms = median_ms(lambda: model(images))
            nn.Conv2d.forward = prepacked
            out = model(images)
            packed_ms = median_ms(lambda: model(images))
            nn.Conv2d.forward = eager
        print(f"{arch}: eager {eager_ms:.0f} ms, all kernels prepacked {packed_ms:.0f} ms, "
              f"max diff {(out - reference).abs().max().item():.2e}", flush=True)


if __name__ == "__main__":
    main()
