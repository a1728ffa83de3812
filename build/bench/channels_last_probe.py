"""PyTorch-only probe: training step (forward + CE + backward) and inference time of the bench networks in the
contiguous and the channels-last layout; best of 2 after one warm-up.

usage: /usr/bin/python3 build/bench/channels_last_probe.py segnet,fcn8s,deeplabv3plus [--batch 4] [--size 256]
"""
import argparse, os, sys, time
import torch
import torch.nn.functional as F
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import models  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("archs")
p.add_argument("--batch", type=int, default=4)
p.add_argument("--size", type=int, default=256)
a = p.parse_args()
torch.set_num_threads(os.cpu_count())
for arch in a.archs.split(","):
    for layout in (torch.contiguous_format, torch.channels_last):
        torch.manual_seed(0)
        model = models.BUILDERS[arch](21).to(memory_format=layout)
        x = torch.rand(a.batch, 3, a.size, a.size).contiguous(memory_format=layout)
        y = torch.randint(0, 21, (a.batch, a.size, a.size))
        train = []
        for _ in range(3):
            t = time.perf_counter()
            F.cross_entropy(model(x), y).backward()
            train.append(time.perf_counter() - t)
        model.eval()
        infer = []
        with torch.no_grad():
            for _ in range(3):
                t = time.perf_counter()
                model(x).argmax(1)
                infer.append(time.perf_counter() - t)
        name = "channels_last" if layout == torch.channels_last else "contiguous"
        print(f"{arch} {name}: train {min(train[1:]):.2f} s, infer {min(infer[1:]):.2f} s", flush=True)
