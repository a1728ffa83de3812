#!/usr/bin/python3
"""Writes the per-epoch sample orders that both sides of the CamVid comparison train on (`mlseg train --order FILE` and
pytorch_camvid.py --orders FILE): one line per epoch, the indices 0..COUNT-1 of the training images (sorted by file
name) in the order that epoch visits them.

The shuffle is a Fisher-Yates driven by SplitMix64 (the generator of MLNet.Segmentation's SeedMixer), written out here
so that the orders depend on nothing but the seed: no library version can change them.

usage: /usr/bin/python3 build/camvid/make_orders.py --count 367 --epochs 1000 --seed 1 --out orders.txt
"""
import argparse
import os
import tempfile

MASK = (1 << 64) - 1


def splitmix64(x):
    """One SplitMix64 output step of state x (the state advances by the golden-ratio increment first)."""
    x = (x + 0x9E3779B97F4A7C15) & MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK
    return x ^ (x >> 31)


def mix(a, b=0, c=0):
    """SeedMixer.Mix: a well-mixed 64-bit value of three integers."""
    return splitmix64(splitmix64(splitmix64(a & MASK) ^ (b & MASK)) ^ (c & MASK))


def epoch_order(count, seed, epoch):
    order = list(range(count))
    state = mix(seed, epoch, 0x0DE5)
    for i in range(count - 1, 0, -1):
        state = splitmix64(state)
        j = state % (i + 1)
        order[i], order[j] = order[j], order[i]
    return order


def write_orders(path, count, epochs, seed):
    """The file, written whole (a temporary file renamed into place)."""
    lines = [f"# {epochs} epoch orders of {count} samples, seed {seed} (build/camvid/make_orders.py)"]
    lines += [" ".join(map(str, epoch_order(count, seed, e))) for e in range(epochs)]
    folder = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(f.name, path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--count", type=int, default=367, help="training images [367, CamVid's train/]")
    p.add_argument("--epochs", type=int, default=1000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    if a.count < 1 or a.epochs < 1:
        raise SystemExit("make_orders.py: --count and --epochs must be >= 1")
    write_orders(a.out, a.count, a.epochs, a.seed)


if __name__ == "__main__":
    main()
