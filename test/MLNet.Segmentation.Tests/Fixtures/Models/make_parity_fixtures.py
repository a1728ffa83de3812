#!/usr/bin/python3
"""Parity fixtures for MLNet.Segmentation's networks.

Builds every architecture in PyTorch (small definitions written to mirror the C# models layer by layer, with the
same parameter names), at reduced width, with random weights and random BatchNorm statistics, and writes for each
case two safetensors files next to this script:

  <case>.weights.safetensors  the state dict (loaded strictly by the C# model)
  <case>.io.safetensors       "input", "output" and, for gradient cases, "output_weight" (g), "input_grad" and
                              "grad.<parameter>" = gradients of sum(output * g)

It also checks that the mirrored VGG-16-BN / ResNet / DeepLab v3 names equal torchvision's and writes them to
torchvision_names.json for the C# name tests. Run by developers (Debian's python3-torch and python3-torchvision),
not by CI:  /usr/bin/python3 make_parity_fixtures.py
"""
import json
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64"}


def save_safetensors(path, tensors):
    """A minimal safetensors writer: u64 header length, JSON header padded to 8 bytes, raw little-endian data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


# ------------------------------------------------------------------ VGG-16

VGG_STAGES = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]


class Vgg16(nn.Module):
    def __init__(self, in_channels=3, bn=False, div=1):
        super().__init__()
        self.stage_channels = [w // div for _, w in VGG_STAGES]
        layers, c = [], in_channels
        for (n, _), w in zip(VGG_STAGES, self.stage_channels):
            for _ in range(n):
                layers.append(nn.Conv2d(c, w, 3, padding=1))
                if bn:
                    layers.append(nn.BatchNorm2d(w))
                layers.append(nn.ReLU(inplace=True))
                c = w
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)

    def stages(self, x):
        out = []
        for layer in self.features:
            if isinstance(layer, nn.MaxPool2d):
                size = x.shape[-2:]
                pooled, indices = F.max_pool2d(x, 2, 2, return_indices=True)
                out.append((pooled, indices, size))
                x = pooled
            else:
                x = layer(x)
        return out


def vgg_decoder(encoder, transposed, bn):
    stages = []
    for s in reversed(range(len(VGG_STAGES))):
        width = encoder.stage_channels[s]
        target = width if s == 0 else encoder.stage_channels[s - 1]
        n = VGG_STAGES[s][0]
        layers = []
        for i in range(n):
            out = target if i == n - 1 else width
            conv = nn.ConvTranspose2d if transposed else nn.Conv2d
            layers.append(conv(width, out, 3, padding=1, bias=not bn))
            if bn:
                layers.append(nn.BatchNorm2d(out))
            layers.append(nn.ReLU(inplace=True))
        stages.append(nn.Sequential(*layers))
    return nn.Sequential(*stages)


def pad_to_multiple(x, m):
    h, w = x.shape[-2:]
    return F.pad(x, (0, -w % m, 0, -h % m))


def pad_to_at_least(x, m):
    h, w = x.shape[-2:]
    return F.pad(x, (0, max(0, m - w), 0, max(0, m - h)))


class Fcn(nn.Module):
    def __init__(self, k, variant, div, fc):
        super().__init__()
        self.variant = variant
        self.backbone = Vgg16(div=div)
        c = self.backbone.stage_channels
        self.conv6 = nn.Sequential(nn.Conv2d(c[4], fc, 7, padding=3), nn.ReLU(inplace=True), nn.Dropout())
        self.conv7 = nn.Sequential(nn.Conv2d(fc, fc, 1), nn.ReLU(inplace=True), nn.Dropout())
        self.score_fr = nn.Conv2d(fc, k, 1)
        if variant != 32:
            self.score_pool4 = nn.Conv2d(c[3], k, 1)
            self.upscore2 = nn.ConvTranspose2d(k, k, 4, 2, 1, bias=False)
        if variant == 8:
            self.score_pool3 = nn.Conv2d(c[2], k, 1)
            self.upscore_pool4 = nn.ConvTranspose2d(k, k, 4, 2, 1, bias=False)
        self.upscore = nn.ConvTranspose2d(k, k, 2 * variant, variant, variant // 2, bias=False)

    def forward(self, x):
        h, w = x.shape[-2:]
        st = self.backbone.stages(pad_to_multiple(x, 32))
        score = self.score_fr(self.conv7(self.conv6(st[4][0])))
        if self.variant != 32:
            score = self.upscore2(score) + self.score_pool4(st[3][0])
        if self.variant == 8:
            score = self.upscore_pool4(score) + self.score_pool3(st[2][0])
        return self.upscore(score)[:, :, :h, :w]


class SegNet(nn.Module):
    def __init__(self, k, div):
        super().__init__()
        self.encoder = Vgg16(bn=True, div=div)
        self.decoder = vgg_decoder(self.encoder, transposed=False, bn=True)
        self.classifier = nn.Conv2d(self.encoder.stage_channels[0], k, 1)

    def forward(self, x):
        h, w = x.shape[-2:]
        st = self.encoder.stages(pad_to_at_least(x, 32))
        y = st[-1][0]
        for i, block in enumerate(self.decoder):
            _, idx, size = st[len(st) - 1 - i]
            y = block(F.max_unpool2d(y, idx, 2, 2, output_size=size))
        return self.classifier(y)[:, :, :h, :w]


class DeconvNet(nn.Module):
    def __init__(self, k, div, fc):
        super().__init__()
        self.encoder = Vgg16(bn=True, div=div)
        c = self.encoder.stage_channels[4]
        self.fc6 = nn.Sequential(nn.Conv2d(c, fc, 7, padding=3, bias=False), nn.BatchNorm2d(fc), nn.ReLU(inplace=True))
        self.fc7 = nn.Sequential(nn.Conv2d(fc, fc, 1, bias=False), nn.BatchNorm2d(fc), nn.ReLU(inplace=True))
        self.deconv_fc6 = nn.Sequential(nn.ConvTranspose2d(fc, c, 7, padding=3, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True))
        self.decoder = vgg_decoder(self.encoder, transposed=True, bn=True)
        self.classifier = nn.Conv2d(self.encoder.stage_channels[0], k, 1)

    def forward(self, x):
        h, w = x.shape[-2:]
        st = self.encoder.stages(pad_to_at_least(x, 32))
        y = self.deconv_fc6(self.fc7(self.fc6(st[-1][0])))
        for i, block in enumerate(self.decoder):
            _, idx, size = st[len(st) - 1 - i]
            y = block(F.max_unpool2d(y, idx, 2, 2, output_size=size))
        return self.classifier(y)[:, :, :h, :w]


# ------------------------------------------------------------------ U-Net and autoencoder

def double_conv(cin, cout, same, bn):
    layers = []
    for c in (cin, cout):
        layers.append(nn.Conv2d(c, cout, 3, padding=1 if same else 0, bias=not bn))
        if bn:
            layers.append(nn.BatchNorm2d(cout))
        layers.append(nn.ReLU(inplace=True))
    return nn.Sequential(*layers)


class UNetEncoder(nn.Module):
    def __init__(self, cin, depth, base, same, bn):
        super().__init__()
        for level in range(depth + 1):
            self.add_module(str(level), double_conv(cin, base << level, same, bn))
            cin = base << level

    def levels(self, x):
        out = []
        for i, block in enumerate(self.children()):
            if i:
                x = F.max_pool2d(x, 2)
            x = block(x)
            out.append(x)
        return out


class UpBlock(nn.Module):
    def __init__(self, cin, bilinear, same, bn, skip):
        super().__init__()
        half = cin // 2
        self.up = (nn.Sequential(nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False), nn.Conv2d(cin, half, 1))
                   if bilinear else nn.ConvTranspose2d(cin, half, 2, 2))
        self.conv = double_conv(cin if skip else half, half, same, bn)

    def forward(self, x, skip=None):
        up = self.up(x)
        if skip is None:
            return self.conv(up)
        h, w = up.shape[-2:]
        top, left = (skip.shape[-2] - h) // 2, (skip.shape[-1] - w) // 2
        return self.conv(torch.cat([skip[:, :, top:top + h, left:left + w], up], 1))


def valid_output(n, depth):
    for _ in range(depth):
        n -= 4
        if n <= 0 or n % 2:
            return -1
        n //= 2
    n -= 4
    if n <= 0:
        return -1
    for _ in range(depth):
        n = 2 * n - 4
    return n if n > 0 else -1


def valid_input(out, depth):
    n = out
    while valid_output(n, depth) < out:
        n += 1
    return n


def mirror_pad(x, top, bottom, left, right):
    while top or bottom or left or right:
        mh, mw = x.shape[-2] - 1, x.shape[-1] - 1
        t, b, l, r = min(top, mh), min(bottom, mh), min(left, mw), min(right, mw)
        x = F.pad(x, (l, r, t, b), mode="reflect")
        top, bottom, left, right = top - t, bottom - b, left - l, right - r
    return x


class UNet(nn.Module):
    def __init__(self, k, cin=3, depth=4, base=64, same=True, bilinear=False, bn=True):
        super().__init__()
        self.depth, self.same = depth, same
        self.encoder = UNetEncoder(cin, depth, base, same, bn)
        w = base << depth
        blocks = []
        for _ in range(depth):
            blocks.append(UpBlock(w, bilinear, same, bn, skip=True))
            w //= 2
        self.decoder = nn.ModuleList(blocks)
        self.classifier = nn.Conv2d(w, k, 1)

    def forward(self, x):
        h, w = x.shape[-2:]
        if self.same:
            x = pad_to_multiple(x, 1 << self.depth)
        else:
            ih, iw = valid_input(h, self.depth), valid_input(w, self.depth)
            top, left = (ih - valid_output(ih, self.depth)) // 2, (iw - valid_output(iw, self.depth)) // 2
            x = mirror_pad(x, top, ih - h - top, left, iw - w - left)
        levels = self.encoder.levels(x)
        y = levels[-1]
        for i, block in enumerate(self.decoder):
            y = block(y, levels[len(levels) - 2 - i])
        return self.classifier(y)[:, :, :h, :w]


class ConvAutoencoder(nn.Module):
    def __init__(self, cin=3, depth=4, base=64, bn=True):
        super().__init__()
        self.depth = depth
        self.encoder = UNetEncoder(cin, depth, base, True, bn)
        w = base << depth
        blocks = []
        for _ in range(depth):
            blocks.append(UpBlock(w, False, True, bn, skip=False))
            w //= 2
        self.decoder = nn.ModuleList(blocks)
        self.reconstruction = nn.Conv2d(w, cin, 1)

    def forward(self, x):
        h, w = x.shape[-2:]
        y = self.encoder.levels(pad_to_multiple(x, 1 << self.depth))[-1]
        for block in self.decoder:
            y = block(y)
        return self.reconstruction(y)[:, :, :h, :w]


# ------------------------------------------------------------------ ResNet and DeepLab

class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inp, planes, stride, dilation, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 3, stride, dilation, dilation, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, dilation, dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inp, planes, stride, dilation, downsample):
        super().__init__()
        self.conv1 = nn.Conv2d(inp, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, dilation, dilation, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.downsample = downsample

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = F.relu(self.bn2(self.conv2(y)))
        y = self.bn3(self.conv3(y))
        return F.relu(y + (self.downsample(x) if self.downsample is not None else x))


class ResNet(nn.Module):
    def __init__(self, depth=50, cin=3, width=64, output_stride=32):
        super().__init__()
        block = Bottleneck if depth == 50 else BasicBlock
        counts = [2, 2, 2, 2] if depth == 18 else [3, 4, 6, 3]
        self.inplanes, self.dilation = width, 1
        self.conv1 = nn.Conv2d(cin, width, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._layer(block, width, counts[0], 1, False)
        self.layer2 = self._layer(block, 2 * width, counts[1], 2, False)
        self.layer3 = self._layer(block, 4 * width, counts[2], 2, output_stride == 8)
        self.layer4 = self._layer(block, 8 * width, counts[3], 2, output_stride <= 16)
        self.low_channels, self.out_channels = width * block.expansion, 8 * width * block.expansion

    def _layer(self, block, planes, count, stride, dilate):
        previous = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, previous, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes, 1, self.dilation, None) for _ in range(1, count)]
        return nn.Sequential(*layers)

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        l1 = self.layer1(x)
        return l1, self.layer4(self.layer3(self.layer2(l1)))


def cbr(cin, cout, k, **kw):
    return [nn.Conv2d(cin, cout, k, bias=False, **kw), nn.BatchNorm2d(cout), nn.ReLU()]


class AsppPooling(nn.Sequential):
    def __init__(self, cin, cout):
        super().__init__(nn.AdaptiveAvgPool2d(1), *cbr(cin, cout, 1))

    def forward(self, x):
        return F.interpolate(super().forward(x), size=x.shape[-2:], mode="bilinear", align_corners=False)


class Aspp(nn.Module):
    def __init__(self, cin, cout, rates, pooling=True):
        super().__init__()
        branches = [nn.Sequential(*cbr(cin, cout, 1))]
        branches += [nn.Sequential(*cbr(cin, cout, 3, padding=r, dilation=r)) for r in rates]
        if pooling:
            branches.append(AsppPooling(cin, cout))
        self.convs = nn.ModuleList(branches)
        self.project = nn.Sequential(*cbr(len(branches) * cout, cout, 1), nn.Dropout(0.5))

    def forward(self, x):
        return self.project(torch.cat([b(x) for b in self.convs], 1))


def default_rates(os_):
    return [12, 24, 36] if os_ == 8 else [6, 12, 18]


class DeepLabV3(nn.Module):
    def __init__(self, k, depth=50, width=64, os_=16, aspp=256, rates=None, pooling=True):
        super().__init__()
        self.backbone = ResNet(depth, 3, width, os_)
        self.classifier = nn.Sequential(Aspp(self.backbone.out_channels, aspp, rates or default_rates(os_), pooling),
                                        *cbr(aspp, aspp, 3, padding=1), nn.Conv2d(aspp, k, 1))

    def forward(self, x):
        _, out = self.backbone.features(x)
        return F.interpolate(self.classifier(out), size=x.shape[-2:], mode="bilinear", align_corners=False)


class DeepLabV3PlusDecoder(nn.Module):
    def __init__(self, low_in, high_in, low_out, out):
        super().__init__()
        self.low_level = nn.Sequential(*cbr(low_in, low_out, 1))
        self.fuse = nn.Sequential(*cbr(high_in + low_out, out, 3, padding=1), *cbr(out, out, 3, padding=1))

    def forward(self, high, low):
        up = F.interpolate(high, size=low.shape[-2:], mode="bilinear", align_corners=False)
        return self.fuse(torch.cat([up, self.low_level(low)], 1))


class DeepLabV3Plus(nn.Module):
    def __init__(self, k, depth=50, width=64, os_=16, aspp=256, rates=None, pooling=True, low=48, dec=256):
        super().__init__()
        self.backbone = ResNet(depth, 3, width, os_)
        self.aspp = Aspp(self.backbone.out_channels, aspp, rates or default_rates(os_), pooling)
        self.decoder = DeepLabV3PlusDecoder(self.backbone.low_channels, aspp, low, dec)
        self.classifier = nn.Conv2d(dec, k, 1)

    def forward(self, x):
        l1, out = self.backbone.features(x)
        y = self.classifier(self.decoder(self.aspp(out), l1))
        return F.interpolate(y, size=x.shape[-2:], mode="bilinear", align_corners=False)


# ------------------------------------------------------------------ fixtures

def randomize_batchnorm(model, generator):
    for m in model.modules():
        if isinstance(m, nn.BatchNorm2d):
            n = m.num_features
            with torch.no_grad():
                m.weight.copy_(0.5 + torch.rand(n, generator=generator))
                m.bias.copy_(0.1 * torch.randn(n, generator=generator))
                m.running_mean.copy_(0.1 * torch.randn(n, generator=generator))
                m.running_var.copy_(0.5 + torch.rand(n, generator=generator))
                m.num_batches_tracked.fill_(7)


# (case, factory, input shape, train mode, gradients)
CASES = [
    ("fcn32s", lambda: Fcn(2, 32, 32, 16), (1, 3, 45, 61), False, False),
    ("fcn16s", lambda: Fcn(3, 16, 32, 16), (1, 3, 45, 61), False, False),
    ("fcn8s", lambda: Fcn(3, 8, 32, 16), (1, 3, 45, 61), False, False),
    ("segnet", lambda: SegNet(5, 32), (1, 3, 45, 61), False, False),
    ("deconvnet", lambda: DeconvNet(5, 32, 16), (1, 3, 45, 61), False, False),
    ("unet", lambda: UNet(5, depth=3, base=4), (1, 3, 45, 61), False, True),
    ("unet_train", lambda: UNet(3, depth=2, base=4), (2, 3, 37, 45), True, True),
    ("unet_valid_bilinear", lambda: UNet(4, depth=2, base=4, same=False, bilinear=True), (1, 3, 45, 61), False, False),
    ("deeplabv3_resnet18", lambda: DeepLabV3(5, 18, 2, 16, 8), (1, 3, 45, 61), False, False),
    ("deeplabv3_resnet50_os8", lambda: DeepLabV3(5, 50, 2, 8, 8), (1, 3, 45, 61), False, False),
    ("deeplabv3plus_resnet50", lambda: DeepLabV3Plus(5, 50, 2, 16, 8, low=4, dec=8), (1, 3, 45, 61), False, True),
    ("deeplabv3plus_resnet34_os8", lambda: DeepLabV3Plus(5, 34, 2, 8, 8, rates=[2, 4], pooling=False, low=4, dec=8),
     (1, 3, 45, 61), False, False),
    ("autoencoder", lambda: ConvAutoencoder(3, depth=2, base=4), (1, 3, 45, 61), False, False),
]


def write_case(name, factory, shape, train, gradients):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    model = factory()
    randomize_batchnorm(model, generator)
    model.train(train)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    x = torch.randn(shape, generator=generator).requires_grad_(gradients)
    y = model(x)
    io = {"input": x, "output": y}
    if gradients:
        g = torch.randn(y.shape, generator=generator)
        (y * g).sum().backward()
        io["output_weight"] = g
        io["input_grad"] = x.grad
        for pname, p in model.named_parameters():
            io["grad." + pname] = p.grad
    if train:
        for bname, b in model.named_buffers():
            io["after." + bname] = b
    save_safetensors(os.path.join(HERE, f"{name}.weights.safetensors"), weights)
    save_safetensors(os.path.join(HERE, f"{name}.io.safetensors"), io)
    params = sum(p.numel() for p in model.parameters())
    print(f"{name:30s} params {params:8d}  output {tuple(y.shape)}  max|y| {y.abs().max().item():.4g}")


def names(module, drop=()):
    return [[k, list(v.shape)] for k, v in module.state_dict().items() if not k.startswith(drop)]


def check_torchvision_names():
    ours_tv = [
        ("vgg16_bn", Vgg16(bn=True), torchvision.models.vgg16_bn(), ("classifier.",)),
        ("resnet18", ResNet(18), torchvision.models.resnet18(), ("fc.",)),
        ("resnet34", ResNet(34), torchvision.models.resnet34(), ("fc.",)),
        ("resnet50", ResNet(50), torchvision.models.resnet50(), ("fc.",)),
        ("deeplabv3_resnet50", DeepLabV3(21, 50, 64, 8, 256),
         torchvision.models.segmentation.deeplabv3_resnet50(weights=None, weights_backbone=None, num_classes=21, aux_loss=False), ()),
    ]
    result = {}
    for key, ours, theirs, drop in ours_tv:
        expected = names(theirs, drop)
        assert names(ours) == expected, f"{key}: names differ from torchvision"
        result[key] = expected
    with open(os.path.join(HERE, "torchvision_names.json"), "w") as f:
        json.dump(result, f, separators=(",", ":"))
    print("torchvision names match:", ", ".join(result))


if __name__ == "__main__":
    torch.set_num_threads(1)
    for case in CASES:
        write_case(*case)
    check_torchvision_names()
    total = sum(os.path.getsize(os.path.join(HERE, f)) for f in os.listdir(HERE) if f.endswith((".safetensors", ".json")))
    print(f"fixtures: {total / 1e6:.2f} MB")
