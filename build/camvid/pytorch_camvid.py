#!/usr/bin/python3
"""The PyTorch side of the CamVid comparison: the recipe of build/camvid/run.sh, step for step as `mlseg train` does it.

Same network: the definitions shared with the parity fixtures (test/.../Fixtures/Models/make_parity_fixtures.py), whose
state dicts match MLNet.Segmentation's name for name. Same data: CamVid train/ (367) and val/ (101) sorted by file
name, images in [0, 1] then ImageNet-normalized, ignore id 11. Same order: the epoch orders of make_orders.py (the file
`mlseg train --order` reads). Same augmentation, draw for draw: each sample's generator is seeded with
SeedMixer.Mix(seed, epoch, index) and the transforms draw from it in mlseg's order and amounts (RandomScale 0.75..1.25
bilinear / nearest, RandomCrop padded with the ignore id, horizontal flip, ColorJitter 0.2/0.2/0.2, Normalize). Same loss
(cross-entropy weighted by SegNet's median-frequency weights raised to --class-weight-power, ignore 11), optimizer (AdamW) and schedule (linear warm-up
from a third, then cosine to 0, set before every step), the same time-budget rule (TimeBudgetPlan: after each epoch's
steps, the epochs that fit = completed + floor(left / mean epoch time), the schedule re-sized to them), validation every
N epochs and after the last, the last epoch's weights kept. Writes OUT/metrics.json (mlseg evaluate --json's fields:
confusion matrix, per-class IoU and recall = class accuracy, pixel accuracy, mean class accuracy, mIoU), OUT/table.md,
OUT/history.json and OUT/model.safetensors (loadable into the same mlseg network).

usage: /usr/bin/python3 build/camvid/pytorch_camvid.py --data ../shared/datasets/camvid --orders orders.txt --minutes 75
       --out artifacts/camvid/pytorch [--arch unet --width-divisor 4 --crop 256 --batch 8 --lr 1e-3 ...]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "test", "MLNet.Segmentation.Tests", "Fixtures", "Models"))
from make_orders import mix  # noqa: E402
from make_parity_fixtures import DeepLabV3Plus, UNet, save_safetensors  # noqa: E402

CLASSES = ["Sky", "Building", "Pole", "Road", "Pavement", "Tree", "SignSymbol", "Fence", "Car", "Pedestrian", "Bicyclist"]
IGNORE = 11
SEGNET_WEIGHTS = [0.2595, 0.1826, 4.5640, 0.1417, 0.9051, 0.3826, 9.6446, 1.8418, 0.6823, 6.2478, 7.3614]
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
LUMA = [0.299, 0.587, 0.114]


# ------------------------------------------------------------------ data

def load_split(folder, split):
    images_dir, masks_dir = os.path.join(folder, split), os.path.join(folder, split + "annot")
    names = sorted(os.path.splitext(n)[0] for n in os.listdir(images_dir) if n.lower().endswith(".png"))
    images, masks = [], []
    for name in names:
        rgb = np.asarray(Image.open(os.path.join(images_dir, name + ".png")).convert("RGB"))
        images.append(torch.from_numpy(rgb.copy()).permute(2, 0, 1).contiguous())
        masks.append(torch.from_numpy(np.asarray(Image.open(os.path.join(masks_dir, name + ".png"))).astype(np.int64)))
    return names, images, masks


def read_orders(path, count):
    orders = []
    with open(path) as f:
        for number, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            order = [int(v) for v in line.split()]
            if sorted(order) != list(range(count)):
                raise SystemExit(f"{path}, line {number}: not a permutation of 0..{count - 1}")
            orders.append(order)
    return orders


# ------------------------------------------------------------------ augmentation (mlseg's transforms, draw for draw)

def uniforms(generator, count):
    """RandomDraw.Uniforms: count float64 uniforms from the sample's generator."""
    return torch.rand(count, dtype=torch.float64, generator=generator).tolist()


def nearest_indices(size_in, size_out):
    scale = size_in / size_out
    return torch.tensor([min(int(math.floor((k + 0.5) * scale)), size_in - 1) for k in range(size_out)], dtype=torch.int64)


def random_scale(image, mask, generator, low, high):
    s = low + (high - low) * uniforms(generator, 1)[0]
    h, w = max(1, round(image.shape[1] * s)), max(1, round(image.shape[2] * s))
    if (h, w) != tuple(image.shape[1:]):
        image = F.interpolate(image[None], size=(h, w), mode="bilinear", align_corners=False)[0]
    mask = mask.index_select(0, nearest_indices(mask.shape[0], h)).index_select(1, nearest_indices(mask.shape[1], w))
    return image, mask


def random_crop(image, mask, generator, ch, cw, fill):
    pad_h, pad_w = max(0, ch - image.shape[1]), max(0, cw - image.shape[2])
    if pad_h or pad_w:
        padding = (pad_w // 2, pad_w - pad_w // 2, pad_h // 2, pad_h - pad_h // 2)
        image = F.pad(image, padding, value=0.0)
        mask = F.pad(mask, padding, value=fill)
    d = uniforms(generator, 2)
    top = min(image.shape[1] - ch, int(d[0] * (image.shape[1] - ch + 1)))
    left = min(image.shape[2] - cw, int(d[1] * (image.shape[2] - cw + 1)))
    return image[:, top:top + ch, left:left + cw], mask[top:top + ch, left:left + cw]


def horizontal_flip(image, mask, generator):
    return (image.flip(-1), mask.flip(-1)) if uniforms(generator, 1)[0] < 0.5 else (image, mask)


def luma(image):
    return (image * torch.tensor(LUMA, dtype=torch.float32).view(3, 1, 1)).sum(0, keepdim=True)


def color_jitter(image, generator, amount=0.2):
    u = uniforms(generator, 3)
    brightness, contrast, saturation = (1 + amount * (2 * v - 1) for v in u)
    result = image * brightness
    mean = luma(result).mean()
    result = (result - mean) * contrast + mean
    gray = luma(result)
    result = (result - gray) * saturation + gray
    return result.clamp_(0, 1)


def normalize(image):
    mean = torch.tensor(MEAN, dtype=torch.float32).view(3, 1, 1)
    scale = torch.tensor([1.0 / s for s in STD], dtype=torch.float32).view(3, 1, 1)
    return (image - mean) * scale


def augment(image_u8, mask, seed, epoch, index, crop, scale=(0.75, 1.25)):
    """mlseg train --augment full for RGB with --crop: scale, crop, flip, jitter, then normalize."""
    generator = torch.Generator().manual_seed(mix(seed, epoch, index))
    image = image_u8.float() / 255.0
    image, mask = random_scale(image, mask, generator, *scale)
    if crop is not None:
        image, mask = random_crop(image, mask, generator, crop[0], crop[1], IGNORE)
    image, mask = horizontal_flip(image, mask, generator)
    image = color_jitter(image, generator)
    return normalize(image), mask


# ------------------------------------------------------------------ network, schedule, budget, metrics

def build(arch, divisor, classes):
    if arch == "unet":
        return UNet(classes, 3, 4, max(2, 64 // divisor))
    if arch.startswith("deeplabv3plus-resnet"):
        d = lambda w: max(1, w // divisor)  # noqa: E731
        return DeepLabV3Plus(classes, int(arch[len("deeplabv3plus-resnet"):]), d(64), 16, d(256), low=d(48), dec=d(256))
    raise SystemExit(f"unknown --arch {arch}")


def learning_rate(step, total, base, warmup):
    """WarmupSchedule(CosineSchedule(base, total - warmup), warmup): mlseg's closed form."""
    cosine_total = max(1, total - warmup)

    def cosine(t):
        return base * (1 + math.cos(math.pi * min(t, cosine_total) / cosine_total)) / 2
    if warmup > 0 and step < warmup:
        return cosine(0) * (1 / 3 + (1 - 1 / 3) * step / warmup)
    return cosine(step - warmup if warmup > 0 else step)


def planned_epochs(completed, elapsed, budget, max_epochs):
    """TimeBudgetPlan.PlannedEpochs."""
    if budget is None:
        return max_epochs
    if completed == 0:
        return max_epochs
    if completed >= max_epochs:
        return completed
    left = budget - elapsed
    if left <= 0:
        return completed
    per_epoch = elapsed / completed
    more = math.floor(left / per_epoch) if per_epoch > 0 else max_epochs
    return int(min(max_epochs, completed + more))


def confusion(model, images, masks, device, k=len(CLASSES)):
    model.eval()
    matrix = torch.zeros(k, k, dtype=torch.int64)
    with torch.no_grad():
        for image, mask in zip(images, masks):
            x = normalize(image.float() / 255.0)[None].to(device)
            pred = model(x).argmax(1)[0].cpu()
            keep = mask != IGNORE
            matrix += torch.bincount(mask[keep] * k + pred[keep], minlength=k * k).reshape(k, k)
    model.train()
    return matrix


def metrics(matrix):
    m = matrix.double()
    tp, gt, pr = m.diag(), m.sum(1), m.sum(0)
    nan = float("nan")
    iou = [float(t / (g + p - t)) if g + p - t > 0 else nan for t, g, p in zip(tp, gt, pr)]
    recall = [float(t / g) if g > 0 else nan for t, g in zip(tp, gt)]
    precision = [float(t / p) if p > 0 else nan for t, p in zip(tp, pr)]
    dice = [float(2 * t / (g + p)) if g + p > 0 else nan for t, g, p in zip(tp, gt, pr)]
    total = float(m.sum())
    freq = (gt / total).tolist()
    return {
        "pixel_accuracy": float(tp.sum()) / total,
        "mean_class_accuracy": float(np.nanmean(recall)),
        "miou": float(np.nanmean(iou)),
        "fwiou": float(sum(f * i for f, i in zip(freq, iou) if not math.isnan(i))),
        "confusion_matrix": matrix.tolist(),
        "per_class": [{"class": c, "iou": iou[c], "dice": dice[c], "precision": precision[c], "recall": recall[c]} for c in range(len(iou))],
    }


def table(result, title):
    rows = [f"| {title} | IoU | class accuracy |", "|---|---:|---:|"]
    rows += [f"| {CLASSES[r['class']]} | {100 * r['iou']:.1f} | {100 * r['recall']:.1f} |" for r in result["per_class"]]
    rows.append(f"| **mIoU / mean class accuracy** | **{100 * result['miou']:.1f}** | **{100 * result['mean_class_accuracy']:.1f}** |")
    rows.append(f"\nglobal accuracy {100 * result['pixel_accuracy']:.1f}")
    return "\n".join(rows) + "\n"


def finite(value):
    """NaN and infinity as null, as mlseg's JSON writes them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def write_json(path, value):
    with open(path + ".tmp", "w") as f:
        json.dump(finite(value), f, indent=1)
    os.replace(path + ".tmp", path)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default=os.path.join(HERE, "..", "..", "..", "shared", "datasets", "camvid"))
    p.add_argument("--orders", required=True, help="epoch orders from make_orders.py (the file mlseg train --order reads)")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=None, help="wall-time budget (TimeBudgetPlan) [none]")
    p.add_argument("--epochs", type=int, default=None, help="most epochs [1000 with --minutes, else 10]")
    p.add_argument("--arch", default="unet")
    p.add_argument("--width-divisor", type=int, default=4)
    p.add_argument("--crop", default="256", help="S or HxW [256]")
    p.add_argument("--batch", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--class-weight-power", type=float, default=1.0, help="SegNet's weights raised to this power [1]")
    p.add_argument("--warmup", type=int, default=45, help="linear warm-up steps [45: one epoch of batches of 8]")
    p.add_argument("--validate-every", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--device", default="cpu")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    crop = tuple(int(v) for v in a.crop.lower().split("x")) if a.crop != "0" else None
    if crop is not None and len(crop) == 1:
        crop = (crop[0], crop[0])
    max_epochs = a.epochs or (1000 if a.minutes else 10)
    budget = a.minutes * 60 if a.minutes else None
    os.makedirs(a.out, exist_ok=True)

    _, train_x, train_y = load_split(a.data, "train")
    _, val_x, val_y = load_split(a.data, "val")
    orders = read_orders(a.orders, len(train_x))
    if len(orders) < max_epochs:
        raise SystemExit(f"--orders {a.orders}: {len(orders)} epoch orders for up to {max_epochs} epochs")

    torch.manual_seed(a.seed)
    model = build(a.arch, a.width_divisor, len(CLASSES)).to(device)
    parameters = [q for q in model.parameters() if q.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=a.lr, weight_decay=a.weight_decay)
    weights = torch.tensor([w ** a.class_weight_power for w in SEGNET_WEIGHTS], dtype=torch.float32, device=device)
    steps_per_epoch = len(train_x) // a.batch
    print(f"pytorch {torch.__version__}: {len(train_x)} training and {len(val_x)} validation images, {a.arch} "
          f"({sum(q.numel() for q in parameters):,} parameters), {torch.get_num_threads()} threads on {device}; batch {a.batch}, "
          f"crop {crop}, AdamW lr {a.lr}, warm-up {a.warmup} + cosine; budget {a.minutes} min (at most {max_epochs} epochs)", flush=True)

    start = time.perf_counter()
    planned, step, images_seen, history, last = planned_epochs(0, 0.0, budget, max_epochs), 0, 0, [], None
    epoch = 0
    while epoch < planned:
        epoch_start = time.perf_counter()
        losses, order = [], orders[epoch]
        model.train()
        for b in range(steps_per_epoch):
            indices = order[b * a.batch:(b + 1) * a.batch]
            pairs = [augment(train_x[i], train_y[i], a.seed, epoch, i, crop) for i in indices]
            x = torch.stack([q[0] for q in pairs]).to(device)
            y = torch.stack([q[1] for q in pairs]).to(device)
            lr = learning_rate(step, planned * steps_per_epoch, a.lr, a.warmup)
            for group in optimizer.param_groups:
                group["lr"] = lr
            loss = F.cross_entropy(model(x), y, weight=weights, ignore_index=IGNORE)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            step += 1
            images_seen += len(indices)
            losses.append(loss.item())
        planned = planned_epochs(epoch + 1, time.perf_counter() - start, budget, max_epochs)
        is_last = epoch + 1 >= planned
        validated = is_last or (epoch + 1) % a.validate_every == 0
        result = metrics(confusion(model, val_x, val_y, device)) if validated else None
        seconds = time.perf_counter() - epoch_start
        history.append({"epoch": epoch + 1, "loss": sum(losses) / len(losses), "lr": lr,
                        "miou": result["miou"] if result else None, "pixel_accuracy": result["pixel_accuracy"] if result else None,
                        "seconds": seconds})
        rate = images_seen / (time.perf_counter() - start)
        shown = f"val mIoU {result['miou']:.3f}  pixel acc {result['pixel_accuracy']:.3f}  " if result else ""
        print(f"epoch {epoch + 1:3d}/{planned}  loss {history[-1]['loss']:.4f}  lr {lr:.2e}  {shown}{rate:.1f} img/s", flush=True)
        last = result
        epoch += 1
    trained = time.perf_counter() - start

    save_safetensors(os.path.join(a.out, "model.safetensors"), {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()})
    final = dict(last, images=len(val_x))
    write_json(os.path.join(a.out, "metrics.json"), final)
    write_json(os.path.join(a.out, "history.json"), {"framework": f"pytorch {torch.__version__}", "threads": torch.get_num_threads(),
                                                     "epochs": len(history), "seconds": round(trained, 1),
                                                     "train_images_per_s": round(images_seen / trained, 2), "history": history})
    with open(os.path.join(a.out, "table.md"), "w") as f:
        f.write(table(final, "PyTorch " + torch.__version__))
    print(table(final, "class"))
    print(json.dumps({"framework": f"pytorch {torch.__version__}", "epochs": len(history), "seconds": round(trained, 1),
                      "miou": round(final["miou"], 4), "mean_class_accuracy": round(final["mean_class_accuracy"], 4),
                      "pixel_accuracy": round(final["pixel_accuracy"], 4)}))


if __name__ == "__main__":
    main()
