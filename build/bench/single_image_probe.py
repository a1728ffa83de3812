"""PyTorch-only probe: single-image inference time of the bench networks with libtorch's own choice of convolution
kernel against every Conv2d calling aten::mkldnn_convolution (what MLNet.Segmentation's SingleImageConvolution does),
each in the contiguous and the channels-last layout; median of 6 after 2 warm-up runs.

usage: /usr/bin/python3 build/bench/single_image_probe.py segnet 64,128,256
"""
import os, sys, time
import torch
import torch.nn as nn
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

torch.set_num_threads(os.cpu_count())
native_forward = nn.Conv2d._conv_forward


def onednn_forward(self, x, weight, bias):
    return torch.ops.aten.mkldnn_convolution(x, weight, bias, self.padding, self.stride, self.dilation, self.groups)


def median_ms(model, x):
    times = []
    with torch.no_grad():
        for _ in range(8):
            start = time.perf_counter()
            model(x).argmax(1)
            times.append(time.perf_counter() - start)
    rest = sorted(times[2:])
    return rest[len(rest) // 2] * 1000


arch = sys.argv[1]
for size in [int(v) for v in sys.argv[2].split(",")]:
    results = []
    for forward in (native_forward, onednn_forward):
        nn.Conv2d._conv_forward = forward
        for layout in (torch.contiguous_format, torch.channels_last):
            torch.manual_seed(0)
            model = models.BUILDERS[arch](21).eval().to(memory_format=layout)
            results.append(median_ms(model, torch.rand(1, 3, size, size).contiguous(memory_format=layout)))
    print(f"{arch} {size}x{size}, batch 1: libtorch's kernel contiguous/channels-last {results[0]:.0f}/{results[1]:.0f} ms; "
          f"oneDNN {results[2]:.0f}/{results[3]:.0f} ms", flush=True)
