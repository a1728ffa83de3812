#!/usr/bin/python3
"""PyTorch side of build/bench/optimizer.sh: one torch.optim step alone over a bench network's parameters, each given
a fixed random gradient (x 1e-3); median of the repeats after warm-up. One JSON line per architecture and
implementation (PyTorch's default for the device, and foreach=True / foreach=False where they differ).

usage: /usr/bin/python3 build/bench/optimizer.py [--arch unet,segnet,fcn8s,deeplabv3plus] [--optimizer adam|adamw|sgd]
       [--warmup 2] [--repeats 10] [--threads N] [--device cpu|cuda]
"""
import argparse
import json
import os
import statistics
import time

import torch

from models import BUILDERS


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="unet,segnet,fcn8s,deeplabv3plus")
    p.add_argument("--optimizer", default="adam", choices=["adam", "adamw", "sgd"])
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repeats", type=int, default=10)
    p.add_argument("--classes", type=int, default=21)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    sync = (lambda: torch.cuda.synchronize()) if device.type == "cuda" else (lambda: None)
    for arch in a.arch.split(","):
        torch.manual_seed(0)
        params = list(BUILDERS[arch](a.classes).to(device).parameters())
        for q in params:
            q.grad = torch.randn_like(q) * 1e-3
        for foreach in (None, True, False):
            make = {
                "adam": lambda: torch.optim.Adam(params, lr=1e-4, foreach=foreach),
                "adamw": lambda: torch.optim.AdamW(params, lr=1e-4, foreach=foreach),
                "sgd": lambda: torch.optim.SGD(params, lr=1e-2, momentum=0.9, foreach=foreach),
            }[a.optimizer]
            optimizer = make()
            for _ in range(a.warmup):
                optimizer.step()
            sync()
            times = []
            for _ in range(a.repeats):
                start = time.perf_counter()
                optimizer.step()
                sync()
                times.append(time.perf_counter() - start)
            row = {"framework": f"pytorch {torch.__version__}", "arch": arch, "optimizer": a.optimizer, "device": a.device,
                   "foreach": "default" if foreach is None else foreach, "tensors": len(params),
                   "parameters": sum(q.numel() for q in params), "step_ms": round(statistics.median(times) * 1000, 2)}
            print(json.dumps(row), flush=True)
            del optimizer


if __name__ == "__main__":
    main()
