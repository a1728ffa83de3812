"""Per-operator CPU profile (PyTorch's autograd profiler) of the bench networks: where a training step and an
inference pass spend their time. Used to find libtorch's slow CPU paths (e.g. slow_conv_transpose2d).

usage: /usr/bin/python3 build/bench/profile_ops.py unet,segnet [--batch 4] [--size 256]
"""
import argparse, os, sys
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
    torch.manual_seed(0)
    model = models.BUILDERS[arch](21)
    x = torch.rand(a.batch, 3, a.size, a.size)
    y = torch.randint(0, 21, (a.batch, a.size, a.size))
    F.cross_entropy(model(x), y).backward()  # warm-up
    with torch.autograd.profiler.profile() as prof:
        F.cross_entropy(model(x), y).backward()
    print(f"{arch}: training step")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=8))
    model.eval()
    with torch.no_grad():
        model(x)
        with torch.autograd.profiler.profile() as prof:
            model(x).argmax(1)
    print(f"{arch}: inference")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=6))
