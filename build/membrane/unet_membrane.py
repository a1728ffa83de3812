#!/usr/bin/python3
"""The PyTorch side of the membrane comparison: the same U-Net and recipe as `mlseg train` (see run.sh).

ISBI 2012 membrane, slices 0..24 train and 25..29 validation; U-Net depth 4, base width 16, BatchNorm, 'same' padding,
transposed-conv upsampling (the definition shared with the parity fixtures); gray input in [0, 1] without
normalization; per sample a horizontal flip, a vertical flip (each p = 0.5) and a random 256 x 256 crop; batches of 4,
shuffled, last partial batch dropped; loss = cross-entropy + soft Dice (classes present in the batch, smooth 1e-5);
Adam (lr 1e-3, no weight decay) with cosine annealing over all steps; validation mIoU on whole 512 x 512 slices after
every epoch, best epoch's weights kept. Prints one JSON line with the final validation metrics and the time.

usage: /usr/bin/python3 unet_membrane.py --data ../shared/datasets/membrane --epochs 40 [--seed 1] [--threads 2]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "MLNet.Segmentation.Tests", "Fixtures", "Models"))
from make_parity_fixtures import UNet  # noqa: E402  (the reference U-Net mirrored by the C# model)


def load(folder):
    def read(kind, i):
        return np.asarray(Image.open(os.path.join(folder, "train", kind, f"{i}.png")).convert("L"))
    images = torch.stack([torch.from_numpy(read("image", i).astype(np.float32) / 255.0)[None] for i in range(30)])
    masks = torch.stack([torch.from_numpy((read("label", i) > 127).astype(np.int64)) for i in range(30)])
    return images, masks


def dice_loss(logits, target, smooth=1e-5):
    p = logits.softmax(1)
    g = F.one_hot(target, logits.shape[1]).permute(0, 3, 1, 2).to(p.dtype)
    tp = (p * g).sum((0, 2, 3))
    fp = p.sum((0, 2, 3)) - tp
    fn = g.sum((0, 2, 3)) - tp
    score = (2 * tp + smooth) / (2 * tp + smooth + fp + fn)
    present = (g.sum((0, 2, 3)) > 0).to(p.dtype)
    return ((1 - score) * present).sum() / present.sum().clamp_min(1e-12)


def augment(image, mask, crop, generator):
    if torch.rand((), generator=generator) < 0.5:
        image, mask = image.flip(-1), mask.flip(-1)
    if torch.rand((), generator=generator) < 0.5:
        image, mask = image.flip(-2), mask.flip(-2)
    h, w = mask.shape
    top = int(torch.randint(0, h - crop + 1, (), generator=generator))
    left = int(torch.randint(0, w - crop + 1, (), generator=generator))
    return image[:, top:top + crop, left:left + crop], mask[top:top + crop, left:left + crop]


def evaluate(model, images, masks, k=2):
    model.eval()
    matrix = torch.zeros(k, k, dtype=torch.int64)
    with torch.no_grad():
        for i in range(len(images)):
            pred = model(images[i:i + 1]).argmax(1)[0]
            matrix += torch.bincount(masks[i].flatten() * k + pred.flatten(), minlength=k * k).reshape(k, k)
    model.train()
    tp = matrix.diag().double()
    iou = tp / (matrix.sum(0) + matrix.sum(1) - tp).double()
    dice = 2 * tp / (matrix.sum(0) + matrix.sum(1)).double()
    return {"pixel_accuracy": float(tp.sum() / matrix.sum()), "miou": float(iou.mean()),
            "membrane_dice": float(dice[0]), "membrane_iou": float(iou[0]), "cell_iou": float(iou[1])}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default=os.path.join(HERE, "..", "..", "..", "shared", "datasets", "membrane"))
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--crop", type=int, default=256)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    generator = torch.Generator().manual_seed(args.seed)

    images, masks = load(args.data)
    train_x, train_y, val_x, val_y = images[:25], masks[:25], images[25:], masks[25:]
    model = UNet(2, cin=1, depth=4, base=16)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    steps_per_epoch = len(train_x) // args.batch
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)

    start = time.time()
    best, best_state, history = -1.0, None, []
    for epoch in range(args.epochs):
        order = torch.randperm(len(train_x), generator=generator)
        losses = []
        for b in range(steps_per_epoch):
            pairs = [augment(train_x[i], train_y[i], args.crop, generator) for i in order[b * args.batch:(b + 1) * args.batch]]
            x = torch.stack([p[0] for p in pairs])
            y = torch.stack([p[1] for p in pairs])
            logits = model(x)
            loss = F.cross_entropy(logits, y) + dice_loss(logits, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(loss.item())
        metrics = evaluate(model, val_x, val_y)
        history.append({"epoch": epoch + 1, "loss": sum(losses) / len(losses), "miou": metrics["miou"]})
        print(f"epoch {epoch + 1:3d}/{args.epochs}  loss {history[-1]['loss']:.4f}  val mIoU {metrics['miou']:.4f}", flush=True)
        if metrics["miou"] > best:
            best, best_state = metrics["miou"], {k: v.clone() for k, v in model.state_dict().items()}
    seconds = time.time() - start
    model.load_state_dict(best_state)
    final = evaluate(model, val_x, val_y)
    print(json.dumps({"framework": f"pytorch {torch.__version__}", "threads": args.threads, "epochs": args.epochs,
                      "seconds": round(seconds, 1), **{k: round(v, 4) for k, v in final.items()}}))


if __name__ == "__main__":
    main()
