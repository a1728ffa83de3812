#!/usr/bin/python3
"""Known-answer image files for the codec tests (run with /usr/bin/python3 from this folder; Pillow and numpy).

png/*.png are written by a small independent PNG writer below (any colour type and bit depth, Adam7 interlacing,
a chosen filter type per row, tRNS) and then cross-checked against Pillow's decoder, or written by Pillow itself
(an independent encoder with its own adaptive filters). png/expected.json holds for each file the exact samples the
managed decoder must give in Raw mode (palette indices, unscaled low-bit gray, 16-bit values), the palette and the
palette alpha. skia/ holds JPEG (progressive too), BMP and WebP files for the SkiaSharp path, with expected.json
giving the source pixels (exact for BMP and lossless WebP, approximate for JPEG).
"""
import io
import json
import os
import struct
import zlib

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
PASSES = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def pack_row(values, depth):
    if depth == 16:
        return b"".join(struct.pack(">H", int(v)) for v in values)
    if depth == 8:
        return bytes(int(v) for v in values)
    out = bytearray((len(values) * depth + 7) // 8)
    for k, v in enumerate(values):
        bit = k * depth
        out[bit // 8] |= int(v) << (8 - depth - bit % 8)
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prev, stride):
    out = bytearray(len(row))
    for i in range(len(row)):
        a = row[i - stride] if i >= stride else 0
        b = prev[i]
        c = prev[i - stride] if i >= stride else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out[i] = (row[i] - pred) & 0xFF
    return bytes(out)


def write_png(samples, depth, color_type, interlaced=False, filters=(0,), palette=None, trns=None):
    """samples: H x W x C integers. filters: filter type of row r is filters[r % len(filters)] (counted per file)."""
    height, width, channels = samples.shape
    stride = max(1, channels * depth // 8)
    raw = bytearray()
    row_number = 0
    passes = PASSES if interlaced else [(0, 0, 1, 1)]
    for x0, y0, dx, dy in passes:
        sub = samples[y0::dy, x0::dx]
        if sub.shape[0] == 0 or sub.shape[1] == 0:
            continue
        prev = bytes(len(pack_row(sub[0].reshape(-1), depth)))
        for r in range(sub.shape[0]):
            row = pack_row(sub[r].reshape(-1), depth)
            kind = filters[row_number % len(filters)]
            raw += bytes([kind]) + filter_row(kind, row, prev, stride)
            prev = row
            row_number += 1
    out = b"\x89PNG\r\n\x1a\n"
    out += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 1 if interlaced else 0))
    if palette is not None:
        out += chunk(b"PLTE", bytes(int(v) for rgb in palette for v in rgb))
    if trns is not None:
        out += chunk(b"tRNS", bytes(trns))
    out += chunk(b"tEXt", b"Comment\x00ancillary chunks are skipped")
    data = zlib.compress(bytes(raw), 9)
    # Two IDAT chunks, to exercise concatenation.
    out += chunk(b"IDAT", data[: len(data) // 2]) + chunk(b"IDAT", data[len(data) // 2:])
    out += chunk(b"IEND", b"")
    return out


def pattern(height, width, channels, levels, seed):
    y, x, c = np.meshgrid(np.arange(height), np.arange(width), np.arange(channels), indexing="ij")
    return ((x * 7 + y * 13 + c * 29 + seed * 5 + (x * y) // 3) % levels).astype(np.int64)


def check_with_pillow(path, samples, depth, color_type, palette):
    """Pillow must read back what the writer meant (high bytes only where Pillow reduces 16 bits to 8)."""
    with Image.open(path) as im:
        im.load()
        got = np.array(im).astype(np.int64)
    s = samples if samples.shape[2] > 1 else samples[:, :, 0]
    if color_type == 3:
        expected = s
    elif depth == 16 and color_type == 0:
        expected = s
    elif depth == 16:
        expected = s >> 8
    elif depth < 8:
        expected = s * 255 // ((1 << depth) - 1)
    else:
        expected = s
    if color_type == 4 and got.ndim == 3 and got.shape[2] == 4:
        got = got[:, :, [0, 3]]  # Pillow opens 16-bit gray + alpha as RGBA
    if got.dtype == bool or im.mode == "1":
        got = got.astype(np.int64) * 255
    assert got.shape == expected.shape, (path, got.shape, expected.shape)
    assert np.array_equal(got, expected), path


def main():
    png_dir = os.path.join(HERE, "png")
    os.makedirs(png_dir, exist_ok=True)
    manifest = []

    def add(name, data, samples, depth, color_type, palette=None, trns=None, pillow_check=True, **extra):
        path = os.path.join(png_dir, name)
        with open(path, "wb") as f:
            f.write(data)
        if pillow_check:
            check_with_pillow(path, samples, depth, color_type, palette)
        manifest.append(dict(file=name, width=int(samples.shape[1]), height=int(samples.shape[0]),
                             channels=int(samples.shape[2]), bitDepth=depth, colorType=color_type,
                             samples=[int(v) for v in samples.reshape(-1)],
                             palette=None if palette is None else [[int(v) for v in rgb] for rgb in palette],
                             paletteAlpha=None if trns is None else [int(v) for v in trns], **extra))

    # Palette images at every palette depth, progressive and interlaced; one with tRNS.
    for depth in (1, 2, 4, 8):
        entries = min(1 << depth, 37)
        palette = [((k * 53) % 256, (255 - k * 31) % 256, (k * 97 + 11) % 256) for k in range(entries)]
        for interlaced in (False, True):
            s = pattern(11, 13, 1, entries, depth)
            trns = [255 - 40 * k for k in range(min(entries, 4))] if depth == 4 else None
            add(f"palette{depth}{'-interlaced' if interlaced else ''}.png",
                write_png(s, depth, 3, interlaced, filters=(0, 1, 2, 3, 4), palette=palette, trns=trns), s, depth, 3, palette, trns)

    # Gray at every depth.
    for depth in (1, 2, 4, 8, 16):
        for interlaced in (False, True):
            s = pattern(9, 19, 1, 1 << depth, depth + 1)
            add(f"gray{depth}{'-interlaced' if interlaced else ''}.png",
                write_png(s, depth, 0, interlaced, filters=(0, 1, 2, 3, 4)), s, depth, 0)

    # Each filter type alone, on layouts with filter strides 1, 2, 3, 4, 6 and 8 bytes.
    layouts = [("gray2", 0, 2, 1), ("gray16", 0, 16, 1), ("rgb8", 2, 8, 3), ("rgba8", 6, 8, 4), ("rgb16", 2, 16, 3), ("rgba16", 6, 16, 4)]
    for label, color_type, depth, channels in layouts:
        for kind in range(5):
            s = pattern(7, 10, channels, 1 << depth, kind + depth)
            add(f"filter{kind}-{label}.png", write_png(s, depth, color_type, False, filters=(kind,)), s, depth, color_type)

    # Every colour type with alpha and 16 bits, interlaced, with all filters rotating.
    for label, color_type, depth, channels in [("ga8", 4, 8, 2), ("ga16", 4, 16, 2), ("rgb16", 2, 16, 3), ("rgba16", 6, 16, 4), ("rgb8", 2, 8, 3)]:
        s = pattern(12, 17, channels, 1 << depth, channels + depth)
        add(f"{label}-interlaced.png", write_png(s, depth, color_type, True, filters=(4, 3, 2, 1, 0)), s, depth, color_type)

    # Tiny images where Adam7 has empty passes.
    for width, height in ((1, 1), (3, 2), (2, 5)):
        s = pattern(height, width, 3, 256, width)
        add(f"tiny{width}x{height}-interlaced.png", write_png(s, 8, 2, True, filters=(1, 4)), s, 8, 2)

    # Written by Pillow (an independent encoder): palette masks at 2, 4 and 8 bits, 1-bit, 8-bit and 16-bit gray, RGB.
    def pillow(name, image, samples, depth, color_type, palette=None, **params):
        buffer = io.BytesIO()
        image.save(buffer, format="PNG", **params)
        add(name, buffer.getvalue(), samples, depth, color_type, palette, pillow_check=False, writer="pillow")

    for bits, entries in ((2, 4), (4, 16), (8, 256)):
        s = pattern(21, 23, 1, entries, bits)
        palette = [((k * 5) % 256, (k * 11) % 256, (255 - k) % 256) for k in range(entries)]
        im = Image.fromarray(s[:, :, 0].astype(np.uint8), mode="P")
        im.putpalette([v for rgb in palette for v in rgb])
        pillow(f"pillow-palette{bits}.png", im, s, bits, 3, palette, bits=bits)
    s = pattern(10, 17, 1, 2, 3)
    pillow("pillow-gray1.png", Image.fromarray((s[:, :, 0] * 255).astype(np.uint8), mode="L").convert("1"), s, 1, 0)
    s = pattern(31, 29, 1, 256, 4)
    pillow("pillow-gray8.png", Image.fromarray(s[:, :, 0].astype(np.uint8), mode="L"), s, 8, 0)
    s = pattern(15, 16, 1, 65536, 5) * 7 % 65536
    pillow("pillow-gray16.png", Image.fromarray(s[:, :, 0].astype(np.uint16), mode="I;16"), s, 16, 0)
    s = pattern(26, 33, 3, 256, 6)
    pillow("pillow-rgb8.png", Image.fromarray(s.astype(np.uint8), mode="RGB"), s, 8, 2)

    with open(os.path.join(png_dir, "expected.json"), "w") as f:
        json.dump(manifest, f, indent=0)

    # SkiaSharp's formats: smooth gradients as in the JPEG codec test (x * 3 + y * 2 + c * 20 + 60).
    skia_dir = os.path.join(HERE, "skia")
    os.makedirs(skia_dir, exist_ok=True)
    skia = []
    y, x, c = np.meshgrid(np.arange(24), np.arange(40), np.arange(3), indexing="ij")
    rgb = (60 + x * 3 + y * 2 + c * 20).astype(np.uint8)
    gray = rgb[:, :, 0].copy()
    alpha = ((x[:, :, 0] * 6 + y[:, :, 0] * 3) % 256).astype(np.uint8)
    rgba = np.dstack([rgb, alpha])

    def save(name, image, samples, is_exact, **params):
        image.save(os.path.join(skia_dir, name), **params)
        skia.append(dict(file=name, width=int(samples.shape[1]), height=int(samples.shape[0]),
                         channels=1 if samples.ndim == 2 else int(samples.shape[2]), exact=is_exact,
                         samples=[int(v) for v in samples.reshape(-1)]))

    save("rgb-progressive.jpg", Image.fromarray(rgb, "RGB"), rgb, False, quality=95, progressive=True)
    save("gray-progressive.jpg", Image.fromarray(gray, "L"), gray, False, quality=95, progressive=True)
    save("rgb-baseline.jpg", Image.fromarray(rgb, "RGB"), rgb, False, quality=95)
    save("rgb.bmp", Image.fromarray(rgb, "RGB"), rgb, True)
    save("rgb-lossless.webp", Image.fromarray(rgb, "RGB"), rgb, True, lossless=True)
    save("rgba-lossless.webp", Image.fromarray(rgba, "RGBA"), rgba, True, lossless=True, exact=True)
    with open(os.path.join(skia_dir, "expected.json"), "w") as f:
        json.dump(skia, f, indent=0)
    print(f"{len(manifest)} PNG files, {len(skia)} SkiaSharp files")


if __name__ == "__main__":
    main()
