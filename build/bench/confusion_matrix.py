#!/usr/bin/env python3
"""Confusion-matrix accumulation throughput of a torch.bincount formulation (the reference for `mlseg bench-metrics`).

Same recipe as the C# benchmark: N uint8 masks of S x S pixels, ground truth in 16 x 16 cells of random classes,
prediction = ground truth with 10% of pixels changed, 1% of ground-truth pixels set to the ignore id 255.
Prints one line: torch K=.. pixels_per_s=..
"""
import argparse
import time

import torch


def masks(classes, images, size, generator):
    cells = (size + 15) // 16
    cell_class = torch.randint(0, classes, (images, cells, cells), generator=generator, dtype=torch.uint8)
    target = cell_class.repeat_interleave(16, 1).repeat_interleave(16, 2)[:, :size, :size].contiguous()
    u = torch.rand(target.shape, generator=generator)
    prediction = target.clone()
    noise = u < 0.10
    prediction[noise] = torch.randint(0, classes, (int(noise.sum()),), generator=generator, dtype=torch.uint8)
    target[(u >= 0.10) & (u < 0.11)] = 255
    return prediction, target


def update(matrix, prediction, target, classes, ignore=255):
    """The usual formulation: drop ignored pixels with a boolean mask, then bincount target * K + prediction."""
    keep = target != ignore
    index = target[keep].long() * classes + prediction[keep].long()
    matrix += torch.bincount(index, minlength=classes * classes).reshape(classes, classes)


def update_extra_bin(matrix, prediction, target, classes, ignore=255):
    """A faster variant without boolean indexing: ignored pixels go to an extra bin that is dropped."""
    bins = classes * classes
    index = (target.long() * classes + prediction.long()).masked_fill_(target == ignore, bins)
    matrix += torch.bincount(index.view(-1), minlength=bins + 1)[:bins].reshape(classes, classes)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--classes", type=int, default=12)
    parser.add_argument("--images", type=int, default=16)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--variant", choices=["mask", "extra-bin"], default="mask")
    args = parser.parse_args()
    step = update if args.variant == "mask" else update_extra_bin
    generator = torch.Generator().manual_seed(0)
    prediction, target = masks(args.classes, args.images, args.size, generator)
    matrix = torch.zeros(args.classes, args.classes, dtype=torch.long)
    step(matrix, prediction, target, args.classes)  # warm-up
    matrix.zero_()
    start = time.perf_counter()
    for _ in range(args.repeat):
        step(matrix, prediction, target, args.classes)
    seconds = time.perf_counter() - start
    pixels = args.repeat * args.images * args.size * args.size
    print(f"torch-{args.variant} K={args.classes} threads={torch.get_num_threads()} pixels={pixels} seconds={seconds:.4f} "
          f"pixels_per_s={pixels / seconds:.0f} counted={int(matrix.sum())}")


if __name__ == "__main__":
    main()
