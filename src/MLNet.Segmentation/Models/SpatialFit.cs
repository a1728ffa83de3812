using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>Padding and cropping that let fixed-stride networks take inputs of any height and width.</summary>
internal static class SpatialFit
{
    /// <summary>Rounds <paramref name="size"/> up to a multiple of <paramref name="multiple"/>.</summary>
    internal static long RoundUp(long size, long multiple) => (size + multiple - 1) / multiple * multiple;

    /// <summary>Zero-pads at the bottom and right to multiples of <paramref name="multiple"/> (the input itself when already aligned).</summary>
    internal static Tensor PadToMultiple(Tensor x, long multiple)
    {
        long h = x.size(2), w = x.size(3);
        long padH = RoundUp(h, multiple) - h, padW = RoundUp(w, multiple) - w;
        return padH == 0 && padW == 0 ? x : nn.functional.pad(x, [0, padW, 0, padH]);
    }

    /// <summary>Zero-pads at the bottom and right up to at least <paramref name="minimum"/> pixels per side.</summary>
    internal static Tensor PadToAtLeast(Tensor x, long minimum)
    {
        long padH = Math.Max(0, minimum - x.size(2)), padW = Math.Max(0, minimum - x.size(3));
        return padH == 0 && padW == 0 ? x : nn.functional.pad(x, [0, padW, 0, padH]);
    }

    /// <summary>The top-left <paramref name="height"/> x <paramref name="width"/> window.</summary>
    internal static Tensor CropTopLeft(Tensor x, long height, long width) =>
        x.size(2) == height && x.size(3) == width ? x : x.narrow(2, 0, height).narrow(3, 0, width);

    /// <summary>The centered <paramref name="height"/> x <paramref name="width"/> window (offsets rounded down).</summary>
    internal static Tensor CenterCrop(Tensor x, long height, long width) =>
        x.narrow(2, (x.size(2) - height) / 2, height).narrow(3, (x.size(3) - width) / 2, width);

    /// <summary>Mirror (reflect) padding of any amount, applied in steps of at most size - 1 pixels.</summary>
    internal static Tensor MirrorPad(Tensor x, long top, long bottom, long left, long right)
    {
        while (top > 0 || bottom > 0 || left > 0 || right > 0)
        {
            long maxH = x.size(2) - 1, maxW = x.size(3) - 1;
            if ((maxH < 1 && (top > 0 || bottom > 0)) || (maxW < 1 && (left > 0 || right > 0)))
                throw new ArgumentException("mirror padding needs at least 2 pixels along each padded dimension");
            long t = Math.Min(top, maxH), b = Math.Min(bottom, maxH), l = Math.Min(left, maxW), r = Math.Min(right, maxW);
            x = nn.functional.pad(x, [l, r, t, b], PaddingModes.Reflect);
            top -= t; bottom -= b; left -= l; right -= r;
        }
        return x;
    }
}
