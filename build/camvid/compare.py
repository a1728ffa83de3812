#!/usr/bin/python3
"""Prints the CamVid comparison as Markdown for README.md: ours (mlseg train), the PyTorch twin (pytorch_camvid.py) and
the rows the issue seeds from the SegNet paper's CamVid table, then the per-class IoU and class accuracy of each run.

Every metric is recomputed here from each run's confusion matrix (rows = ground truth, ignore id 11 left out), so both
sides are scored by one definition: class accuracy = recall of the class, mean class accuracy = their mean ("class
avg." in SegNet), global accuracy = correct / counted pixels, IoU = TP / (TP + FP + FN), mIoU = their mean.

usage: /usr/bin/python3 build/camvid/compare.py [--mlseg DIR] [--pytorch DIR]   (DIR: a run's folder with metrics.json)
       /usr/bin/python3 build/camvid/compare.py --table DIR/metrics.json [--title TEXT]   (one run's per-class table)
"""
import argparse
import json
import math
import os
import struct

CLASSES = ["Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol", "Fence", "Car", "Pedestrian", "Bicyclist"]

# The SegNet paper's CamVid rows the issue names (11 classes; the paper scores the 233-image test split, ours val/).
PAPER_ROWS = [
    ("SegNet (paper, test split)", 71.2, 90.4),
    ("Boosting + Detectors + CRF (paper, test split; the bar)", 62.5, 83.8),
]


def scores(matrix):
    k = len(matrix)
    tp = [matrix[c][c] for c in range(k)]
    gt = [sum(matrix[c]) for c in range(k)]
    pr = [sum(matrix[t][c] for t in range(k)) for c in range(k)]
    iou = [tp[c] / (gt[c] + pr[c] - tp[c]) if gt[c] + pr[c] - tp[c] > 0 else math.nan for c in range(k)]
    acc = [tp[c] / gt[c] if gt[c] > 0 else math.nan for c in range(k)]

    def mean(values):
        kept = [v for v in values if not math.isnan(v)]
        return sum(kept) / len(kept) if kept else math.nan
    return {"iou": iou, "acc": acc, "miou": mean(iou), "mean_acc": mean(acc), "global": sum(tp) / max(1, sum(gt))}


def load(path):
    with open(path) as f:
        return scores(json.load(f)["confusion_matrix"])


def run_facts(folder):
    """Epochs and training minutes: PyTorch's history.json, or the metadata of mlseg's last checkpoint."""
    history = os.path.join(folder, "history.json")
    if os.path.exists(history):
        with open(history) as f:
            h = json.load(f)
        return h["epochs"], sum(e["seconds"] for e in h["history"]) / 60
    checkpoint = os.path.join(folder, "checkpoints", "checkpoint.safetensors")
    if os.path.exists(checkpoint):
        with open(checkpoint, "rb") as f:
            (size,) = struct.unpack("<Q", f.read(8))
            records = json.loads(json.loads(f.read(size))["__metadata__"]["history"])
        return len(records), sum(r["Seconds"] for r in records) / 60
    return None, None


def pct(v):
    return "–" if v is None or math.isnan(v) else f"{100 * v:.1f}"


def per_class_table(runs):
    head = "| class | " + " | ".join(f"{name} IoU | {name} class acc." for name, _ in runs) + " |"
    rows = [head, "|---|" + "---:|---:|" * len(runs)]
    for c, cls in enumerate(CLASSES):
        rows.append(f"| {cls} | " + " | ".join(f"{pct(s['iou'][c])} | {pct(s['acc'][c])}" for _, s in runs) + " |")
    rows.append("| **mean** | " + " | ".join(f"**{pct(s['miou'])}** | **{pct(s['mean_acc'])}**" for _, s in runs) + " |")
    return "\n".join(rows)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--mlseg", help="folder of the mlseg run (metrics.json, checkpoints/)")
    p.add_argument("--pytorch", help="folder of the PyTorch run (metrics.json, history.json)")
    p.add_argument("--table", help="print only this metrics.json's per-class table")
    p.add_argument("--title", default="run")
    a = p.parse_args()
    if a.table:
        s = load(a.table)
        print(per_class_table([(a.title, s)]))
        print(f"\nglobal accuracy {pct(s['global'])}, mean class accuracy {pct(s['mean_acc'])}, mIoU {pct(s['miou'])}")
        return

    runs = []
    for name, folder in (("MLNet.Segmentation (ours)", a.mlseg), ("PyTorch twin", a.pytorch)):
        if folder:
            runs.append((name, folder, load(os.path.join(folder, "metrics.json"))))
    print("CamVid, 11 classes, ignore id 11; ours scored on val/ (101 images) at full 360x480.\n")
    print("| method | class avg. accuracy | global accuracy | mIoU | epochs | training minutes |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, folder, s in runs:
        epochs, minutes = run_facts(folder)
        print(f"| {name} | {pct(s['mean_acc'])} | {pct(s['global'])} | {pct(s['miou'])} | {epochs or '–'} | "
              f"{f'{minutes:.1f}' if minutes is not None else '–'} |")
    for name, class_avg, global_acc in PAPER_ROWS:
        print(f"| {name} | {class_avg:.1f} | {global_acc:.1f} | – | – | – |")
    if runs:
        print()
        print(per_class_table([(name.split(" (")[0], s) for name, _, s in runs]))


if __name__ == "__main__":
    main()
