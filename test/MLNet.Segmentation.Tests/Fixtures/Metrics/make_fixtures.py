#!/usr/bin/python3
"""Writes the metric fixtures (metrics.json, edt.json, hausdorff.json) from scikit-learn and scipy.

Run by developers, not by CI:  /usr/bin/python3 test/MLNet.Segmentation.Tests/Fixtures/Metrics/make_fixtures.py
Needs numpy, scipy (>= 1.10) and scikit-learn (>= 1.2). Masks are small so the JSON stays small.
"""
import json
import os

import numpy as np
from scipy import ndimage
from scipy.spatial.distance import cdist, directed_hausdorff
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, confusion_matrix, f1_score, jaccard_score,
                             precision_score, recall_score)

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240604)


def nan_to_none(values):
    return [None if not np.isfinite(v) else float(v) for v in values]


def distances_json(values):
    """NaN as null, +infinity as the string "inf"."""
    return ["inf" if v == float("inf") else None if np.isnan(v) else float(v) for v in values]


def blocky_mask(classes, height, width, cell):
    cells = rng.integers(0, classes, size=((height + cell - 1) // cell, (width + cell - 1) // cell))
    return np.kron(cells, np.ones((cell, cell), dtype=np.int64))[:height, :width].astype(np.int64)


def hausdorff_pair(a, b, spacing, boundary=False):
    """(HD, HD95) per the documented definition, from point sets with scipy (independent of any distance transform)."""
    if not a.any() and not b.any():
        return float("nan"), float("nan")
    if not a.any() or not b.any():
        return float("inf"), float("inf")
    if boundary:
        a = a ^ ndimage.binary_erosion(a)
        b = b ^ ndimage.binary_erosion(b)
    pa = np.argwhere(a) * np.asarray(spacing)
    pb = np.argwhere(b) * np.asarray(spacing)
    hd = max(directed_hausdorff(pa, pb)[0], directed_hausdorff(pb, pa)[0])
    d = cdist(pa, pb)
    hd95 = max(np.percentile(d.min(axis=1), 95), np.percentile(d.min(axis=0), 95))
    return float(hd), float(hd95)


def metrics_case(name, prediction, target, classes, ignore):
    keep = target != ignore if ignore is not None else np.ones_like(target, dtype=bool)
    y_true, y_pred = target[keep], prediction[keep]
    labels = list(range(classes))
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    present = [c for c in labels if cm[c, :].sum() + cm[:, c].sum() > 0]
    absent = [c for c in labels if c not in present]

    def per_class(metric):
        values = metric(y_true, y_pred, labels=labels, average=None, zero_division=0).astype(float)
        values[absent] = np.nan
        return values

    iou = per_class(jaccard_score)
    counts = cm.sum(axis=1)
    in_target = counts > 0
    hd, hd95 = [], []
    for c in labels:
        h, h95 = hausdorff_pair((prediction == c) & keep, (target == c) & keep, (1.0, 1.0))
        hd.append(h)
        hd95.append(h95)
    return {
        "name": name, "classes": classes, "ignore": ignore,
        "height": int(target.shape[0]), "width": int(target.shape[1]),
        "prediction": prediction.ravel().tolist(), "target": target.ravel().tolist(),
        "confusion_matrix": cm.tolist(),
        "pixel_accuracy": float(accuracy_score(y_true, y_pred)),
        "mean_class_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "iou": nan_to_none(iou),
        "dice": nan_to_none(per_class(f1_score)),
        "precision": nan_to_none(per_class(precision_score)),
        "recall": nan_to_none(per_class(recall_score)),
        "miou": float(jaccard_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "mean_dice": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "macro_precision": float(precision_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "macro_recall": float(recall_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "fwiou": float(np.sum(counts[in_target] / counts.sum() * iou[in_target])),
        "micro_iou": float(jaccard_score(y_true, y_pred, labels=labels, average="micro")),
        "micro_dice": float(f1_score(y_true, y_pred, labels=labels, average="micro")),
        "hd": distances_json(hd), "hd95": distances_json(hd95),
    }


def metrics_cases():
    cases = []
    # 1. Five classes, blocky truth, noisy prediction, ignore 255.
    target = blocky_mask(5, 24, 32, 6)
    prediction = np.where(rng.random(target.shape) < 0.2, rng.integers(0, 5, target.shape), target)
    target[rng.random(target.shape) < 0.05] = 255
    cases.append(metrics_case("five_classes_ignore", prediction, target, 5, 255))
    # 2. Twelve classes, several absent from both, one predicted but absent from the truth, one never predicted.
    target = blocky_mask(4, 20, 28, 5)            # classes 0..3 only
    prediction = target.copy()
    prediction[2:6, 3:9] = 7                       # predicted, absent from the truth
    prediction[target == 3] = 1                    # class 3 never predicted
    cases.append(metrics_case("twelve_classes_absent", prediction, target, 12, None))
    # 3. Three classes, uniform noise, ignore 3.
    target = rng.integers(0, 3, (16, 16))
    prediction = rng.integers(0, 3, (16, 16))
    target[:, :2] = 3
    cases.append(metrics_case("three_classes_uniform", prediction, target, 3, 3))
    return cases


def edt_cases():
    cases = []
    for height, width, density, spacing in [(17, 23, 0.05, (1.0, 1.0)), (20, 13, 0.01, (2.0, 0.5)),
                                            (9, 31, 0.3, (1.0, 3.0)), (15, 15, 0.0, (1.0, 1.0)),
                                            (12, 10, 1.0, (1.0, 1.0))]:
        mask = rng.random((height, width)) < density
        if 0 < density < 1 and not mask.any():
            mask[height // 2, width // 3] = True
        if density == 0.0:
            mask[0, width - 1] = True              # one far corner point
        distance = ndimage.distance_transform_edt(~mask, sampling=spacing)
        cases.append({"height": height, "width": width, "spacing": list(spacing),
                      "mask": mask.ravel().astype(int).tolist(), "distance": distance.ravel().tolist()})
    return cases


def hausdorff_cases():
    cases = []
    shapes = []
    a = np.zeros((24, 30), bool); a[3:12, 4:15] = True
    b = np.zeros((24, 30), bool); b[8:20, 10:27] = True
    shapes.append((a, b, (1.0, 1.0)))
    shapes.append((a, b, (0.7, 1.9)))
    a = rng.random((20, 20)) < 0.1
    b = rng.random((20, 20)) < 0.15
    shapes.append((a, b, (1.0, 1.0)))
    ring = np.zeros((21, 21), bool); ring[2:19, 2:19] = True; ring[6:15, 6:15] = False
    disk = np.zeros((21, 21), bool); disk[8:13, 8:13] = True
    shapes.append((disk, ring, (1.0, 1.0)))        # interior point of the hole is farthest
    for a, b, spacing in shapes:
        for mode in ("AllPixels", "Boundary"):
            hd, hd95 = hausdorff_pair(a, b, spacing, boundary=(mode == "Boundary"))
            cases.append({"height": a.shape[0], "width": a.shape[1], "spacing": list(spacing), "mode": mode,
                          "a": a.ravel().astype(int).tolist(), "b": b.ravel().astype(int).tolist(),
                          "hd": hd, "hd95": hd95})
    return cases


def write(name, payload):
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))


if __name__ == "__main__":
    write("metrics.json", metrics_cases())
    write("edt.json", edt_cases())
    write("hausdorff.json", hausdorff_cases())
    print("wrote metrics.json, edt.json, hausdorff.json")
