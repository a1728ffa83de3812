#!/usr/bin/python3
"""PyTorch side of `mlseg bench`: one training step (forward, cross-entropy, backward, Adam) and batched inference
(forward + argmax, no grad) of the same networks as MLNet.Segmentation (definitions shared with the parity fixtures),
timed after warm-up; median of the repeats. Prints one JSON line per architecture.

usage: /usr/bin/python3 build/bench/models.py --arch unet,segnet,fcn8s,deeplabv3plus [--batch 8] [--size 256]
       [--classes 21] [--warmup 2] [--repeats 5] [--phases train,infer] [--device cpu|cuda] [--amp none|bf16|fp16]
       [--channels-last] [--cudnn-benchmark]
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "MLNet.Segmentation.Tests", "Fixtures", "Models"))
from make_parity_fixtures import DeepLabV3Plus, Fcn, SegNet, UNet  # noqa: E402

BUILDERS = {
    "unet": lambda k: UNet(k, 3, 4, 64),
    "segnet": lambda k: SegNet(k, 1),
    "fcn8s": lambda k: Fcn(k, 8, 1, 4096),
    "deeplabv3plus": lambda k: DeepLabV3Plus(k, 50),
}


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(fn, warmup, repeats, sync):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arch", default="unet,segnet,fcn8s,deeplabv3plus")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--classes", type=int, default=21)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--device", default="cpu")
    p.add_argument("--amp", default="none", choices=["none", "bf16", "fp16"])
    p.add_argument("--channels-last", action="store_true")
    p.add_argument("--phases", default="train,infer")
    p.add_argument("--cudnn-benchmark", action="store_true")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.backends.cudnn.benchmark = a.cudnn_benchmark
    device = torch.device(a.device)
    sync = (lambda: torch.cuda.synchronize()) if device.type == "cuda" else (lambda: None)
    amp_dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(a.amp)
    memory_format = torch.channels_last if a.channels_last else torch.contiguous_format
    for arch in a.arch.split(","):
        torch.manual_seed(0)
        model = BUILDERS[arch](a.classes).to(device).to(memory_format=memory_format)
        x = torch.rand(a.batch, 3, a.size, a.size, device=device).contiguous(memory_format=memory_format)
        y = torch.randint(0, a.classes, (a.batch, a.size, a.size), device=device)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4)
        if hasattr(torch.amp, "GradScaler"):  # PyTorch >= 2.3
            scaler = torch.amp.GradScaler("cuda", enabled=a.amp == "fp16")
        else:
            scaler = torch.cuda.amp.GradScaler(enabled=a.amp == "fp16")

        def autocast():
            return torch.autocast(device.type, dtype=amp_dtype, enabled=amp_dtype is not None)

        def train_step():
            with autocast():
                loss = F.cross_entropy(model(x), y)
            optimizer.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.step(optimizer)
            scaler.update()

        def infer():
            with torch.no_grad(), autocast():
                model(x).argmax(1)

        row = {"framework": f"pytorch {torch.__version__}", "arch": arch, "batch": a.batch, "size": a.size, "device": a.device,
               "amp": a.amp, "channels_last": a.channels_last, "cudnn_benchmark": a.cudnn_benchmark}

        def reset_peaks():
            reset_peak_rss()
            if device.type == "cuda":
                torch.cuda.reset_peak_memory_stats()

        def record_cuda_peak(prefix):
            if device.type == "cuda":
                row[f"{prefix}_cuda_peak_allocated_mb"] = round(torch.cuda.max_memory_allocated() / 2**20, 1)
        phases = a.phases.split(",")
        if "train" in phases:
            reset_peaks()
            model.train()
            train_s = timed(train_step, a.warmup, a.repeats, sync)
            row.update(train_step_ms=round(train_s * 1000, 1), train_images_per_s=round(a.batch / train_s, 2),
                       train_peak_rss_mb=round(peak_rss_mb(), 1))
            record_cuda_peak("train")
        if "infer" in phases:
            model.eval()
            reset_peaks()
            infer_s = timed(infer, a.warmup, a.repeats, sync)
            row.update(infer_layout="channels_last" if a.channels_last else "contiguous",
                       infer_ms=round(infer_s * 1000, 1), infer_images_per_s=round(a.batch / infer_s, 2),
                       infer_peak_rss_mb=round(peak_rss_mb(), 1))
            record_cuda_peak("infer")
        print(json.dumps(row), flush=True)
        del model, optimizer, x, y
        if device.type == "cuda":
            torch.cuda.empty_cache()


if __name__ == "__main__":
    main()
