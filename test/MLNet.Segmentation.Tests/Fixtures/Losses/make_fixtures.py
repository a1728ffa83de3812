#!/usr/bin/python3
"""Writes the loss fixtures (cross_entropy.json, border_weights.json) from PyTorch and scipy.

Run by developers, not by CI:  /usr/bin/python3 test/MLNet.Segmentation.Tests/Fixtures/Losses/make_fixtures.py
Needs torch (>= 1.10, for label smoothing), numpy and scipy.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
torch.manual_seed(7)
rng = np.random.default_rng(7)


def cross_entropy_cases():
    cases = []
    logits = torch.randn(2, 4, 5, 6, dtype=torch.float64)
    target = torch.randint(0, 4, (2, 5, 6))
    target[0, 0, :3] = 255
    target[1, 4, 2:] = 255
    weight = torch.tensor([0.5, 1.0, 2.0, 1.5], dtype=torch.float64)
    for use_weight, smoothing in [(False, 0.0), (True, 0.0), (False, 0.1), (True, 0.2)]:
        loss = F.cross_entropy(logits, target, weight=weight if use_weight else None, ignore_index=255,
                               label_smoothing=smoothing)
        cases.append({"weights": weight.tolist() if use_weight else None, "label_smoothing": smoothing,
                      "loss": float(loss)})
    return {"shape": list(logits.shape), "logits": logits.ravel().tolist(), "target": target.ravel().tolist(),
            "ignore": 255, "cases": cases}


def border_weights(mask, w0, sigma, structure, background=0):
    """U-Net weight map: frequency-balanced class weights + border term on background pixels (scipy reference)."""
    classes, counts = np.unique(mask, return_counts=True)
    balance = {c: mask.size / (len(classes) * n) for c, n in zip(classes, counts)}
    weights = np.vectorize(balance.get)(mask).astype(float)
    distances = []
    for c in classes:
        if c == background:
            continue
        labels, count = ndimage.label(mask == c, structure=structure)
        for k in range(1, count + 1):
            distances.append(ndimage.distance_transform_edt(labels != k))
    if len(distances) >= 2:
        d = np.sort(np.stack(distances), axis=0)
        border = w0 * np.exp(-((d[0] + d[1]) ** 2) / (2 * sigma ** 2))
        weights += np.where(mask == background, border, 0.0)
    return weights


def border_weight_cases():
    cases = []
    mask = np.zeros((24, 28), np.int64)
    mask[3:10, 3:11] = 1
    mask[3:10, 13:20] = 1          # two cells of class 1 separated by a 2-pixel gap
    mask[14:21, 6:12] = 2
    mask[12:14, 21:23] = 1
    mask[19, 20] = 1; mask[20, 21] = 1   # diagonal touch: one object with 8-, two with 4-connectivity
    four = ndimage.generate_binary_structure(2, 1)
    eight = ndimage.generate_binary_structure(2, 2)
    for connectivity, structure in (("Four", four), ("Eight", eight)):
        for w0, sigma in ((10.0, 5.0), (5.0, 2.0)):
            cases.append({"height": 24, "width": 28, "connectivity": connectivity, "w0": w0, "sigma": sigma,
                          "mask": mask.ravel().tolist(), "weights": border_weights(mask, w0, sigma, structure).ravel().tolist()})
    return cases


def write(name, payload):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))


if __name__ == "__main__":
    write("cross_entropy.json", cross_entropy_cases())
    write("border_weights.json", border_weight_cases())
    print("wrote cross_entropy.json, border_weights.json")
