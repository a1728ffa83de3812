#!/usr/bin/env python3
"""PyTorch side of the data-loading benchmark: CamVid train, PIL decode, random crop + horizontal flip
(joint for image and mask), ImageNet normalization, batches of 8 through torch.utils.data.DataLoader.
Equivalent to `mlseg bench-data`. Prints one line per epoch: "epoch E: N images in S s = R images/s"."""
import argparse
import os
import time

import numpy as np
import torch
import torchvision.transforms.functional as TF
from PIL import Image
from torch.utils.data import DataLoader, Dataset

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
IGNORE = 11


class CamVidTrain(Dataset):
    def __init__(self, root, crop):
        self.images = sorted(os.path.join(root, "train", f) for f in os.listdir(os.path.join(root, "train")) if f.endswith(".png"))
        self.masks = [p.replace(os.sep + "train" + os.sep, os.sep + "trainannot" + os.sep) for p in self.images]
        self.crop = crop

    def __len__(self):
        return len(self.images)

    def __getitem__(self, index):
        image = TF.pil_to_tensor(Image.open(self.images[index]).convert("RGB"))
        mask = torch.from_numpy(np.array(Image.open(self.masks[index]), dtype=np.int64))
        height, width = self.crop
        pad_h, pad_w = max(0, height - image.shape[1]), max(0, width - image.shape[2])
        if pad_h or pad_w:
            padding = [pad_w // 2, pad_h // 2, pad_w - pad_w // 2, pad_h - pad_h // 2]
            image = TF.pad(image, padding, fill=0)
            mask = TF.pad(mask.unsqueeze(0), padding, fill=IGNORE).squeeze(0)
        top = int(torch.randint(0, image.shape[1] - height + 1, (1,)))
        left = int(torch.randint(0, image.shape[2] - width + 1, (1,)))
        image = image[:, top:top + height, left:left + width]
        mask = mask[top:top + height, left:left + width]
        if torch.rand(1).item() < 0.5:
            image = TF.hflip(image)
            mask = mask.flip(-1)
        image = TF.normalize(TF.convert_image_dtype(image, torch.float32), MEAN, STD)
        return image, mask.contiguous()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--crop", default="360x480")
    args = parser.parse_args()
    crop = tuple(int(v) for v in args.crop.split("x"))
    torch.manual_seed(0)
    dataset = CamVidTrain(args.data, crop)
    loader = DataLoader(dataset, batch_size=args.batch, shuffle=True, num_workers=args.workers, drop_last=False)
    print(f"torch {torch.__version__}: CamVid train, {len(dataset)} images, batch {args.batch}, "
          f"{args.workers} worker(s), crop {crop[0]}x{crop[1]}")
    for epoch in range(args.epochs):
        start = time.perf_counter()
        images = 0
        for image, mask in loader:
            images += image.shape[0]
        seconds = time.perf_counter() - start
        print(f"epoch {epoch}: {images} images in {seconds:.2f} s = {images / seconds:.1f} images/s")


if __name__ == "__main__":
    main()
