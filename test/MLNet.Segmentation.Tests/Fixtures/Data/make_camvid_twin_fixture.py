#!/usr/bin/python3
"""Known answers for the CamVid twin (build/camvid): what pytorch_camvid.py's augmentation and make_orders.py's orders
give, so that a C# test can check that `mlseg train --augment full --crop ... --order FILE` does the same, draw for draw.

camvid_twin.json: a small synthetic RGB image (uint8, 3 x 18 x 24) and mask (ids 0..11, 11 = ignore); for a few
(seed, epoch, index, crop) cases, the image and mask after pytorch_camvid.augment (scale 0.75..1.25, crop padded with 11,
flip, colour jitter, ImageNet normalization), flattened; and make_orders.py's first three epoch orders of 10 samples,
seed 1, also as make_orders.py writes them (camvid_orders.txt). Run with /usr/bin/python3 from this folder (torch).
"""
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "build", "camvid"))
from make_orders import epoch_order, mix, write_orders  # noqa: E402
from pytorch_camvid import augment  # noqa: E402


def main():
    g = torch.Generator().manual_seed(2024)
    image = torch.randint(0, 256, (3, 18, 24), generator=g, dtype=torch.int64).to(torch.uint8)
    mask = torch.randint(0, 12, (18, 24), generator=g, dtype=torch.int64)
    cases = []
    for seed, epoch, index, crop in [(1, 0, 5, (12, 12)), (1, 3, 2, (12, 16)), (7, 1, 7, (22, 30))]:
        out_image, out_mask = augment(image, mask, seed, epoch, index, crop)
        cases.append({"seed": seed, "epoch": epoch, "index": index, "crop": list(crop), "mix": str(mix(seed, epoch, index)),
                      "shape": list(out_image.shape), "image": [round(v, 7) for v in out_image.flatten().tolist()],
                      "mask": out_mask.flatten().tolist()})
    fixture = {"image": image.flatten().tolist(), "mask": mask.flatten().tolist(), "shape": list(image.shape), "cases": cases,
               "orders": {"count": 10, "seed": 1, "epochs": [epoch_order(10, 1, e) for e in range(3)]}}
    with open(os.path.join(HERE, "camvid_twin.json"), "w") as f:
        json.dump(fixture, f, separators=(",", ":"))
        f.write("\n")
    write_orders(os.path.join(HERE, "camvid_orders.txt"), 10, 3, 1)


if __name__ == "__main__":
    main()
