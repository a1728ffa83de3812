namespace MLNet.Segmentation.Onnx;

/// <summary>
/// The graph form of <see cref="Models.SpatialFit"/>: the same pads and crops, with the amounts computed at export time
/// for a fixed size and in the graph for a dynamic one.
/// </summary>
internal static class OnnxSpatialFit
{
    /// <summary>Zero-pads at the bottom and right to multiples of <paramref name="multiple"/> (nothing when already aligned).</summary>
    public static OnnxTensor PadToMultiple(OnnxGraphBuilder g, OnnxTensor x, long multiple)
    {
        OnnxDim Extra(OnnxDim size) => g.Mod(g.Sub(multiple, g.Mod(size, multiple)), multiple);
        return ZeroPadBottomRight(g, x, Extra(x.Height), Extra(x.Width));
    }

    /// <summary>Zero-pads at the bottom and right up to at least <paramref name="minimum"/> pixels per side.</summary>
    public static OnnxTensor PadToAtLeast(OnnxGraphBuilder g, OnnxTensor x, long minimum) =>
        ZeroPadBottomRight(g, x, g.Max(g.Sub(minimum, x.Height), 0), g.Max(g.Sub(minimum, x.Width), 0));

    private static OnnxTensor ZeroPadBottomRight(OnnxGraphBuilder g, OnnxTensor x, OnnxDim bottom, OnnxDim right)
    {
        if (bottom.Known == 0 && right.Known == 0) return x;
        var zero = OnnxDim.Of(0);
        return g.Pad(x, zero, bottom, zero, right, "constant");
    }

    /// <summary>The top-left <paramref name="height"/> x <paramref name="width"/> window (the input itself when the sizes are known to agree).</summary>
    public static OnnxTensor CropTopLeft(OnnxGraphBuilder g, OnnxTensor x, OnnxDim height, OnnxDim width)
    {
        if (SameKnown(x.Height, height) && SameKnown(x.Width, width)) return x;
        var zero = OnnxDim.Of(0);
        return g.Crop(x, zero, zero, height, width);
    }

    /// <summary>The centered window (offsets rounded down); the input itself when the sizes are known to agree.</summary>
    public static OnnxTensor CenterCrop(OnnxGraphBuilder g, OnnxTensor x, OnnxDim height, OnnxDim width)
    {
        if (SameKnown(x.Height, height) && SameKnown(x.Width, width)) return x;
        return g.Crop(x, g.Div(g.Sub(x.Height, height), 2), g.Div(g.Sub(x.Width, width), 2), height, width);
    }

    private static bool SameKnown(OnnxDim a, OnnxDim b) => a.Known is { } x && b.Known is { } y && x == y;

    /// <summary>
    /// Reflect padding of any amount in steps of at most size - 1 pixels, as <see cref="Models.SpatialFit.MirrorPad"/>.
    /// With every size known the steps are those of SpatialFit; otherwise <paramref name="steps"/> steps are emitted, each
    /// padding min(remaining, size - 1) (a step with nothing left pads zero pixels): enough when the caller's bound holds.
    /// </summary>
    public static OnnxTensor MirrorPad(OnnxGraphBuilder g, OnnxTensor x, OnnxDim top, OnnxDim bottom, OnnxDim left, OnnxDim right, int steps)
    {
        OnnxDim[] all = [top, bottom, left, right, x.Height, x.Width];
        if (all.All(d => d.Known is not null))
        {
            long t = top.Known!.Value, b = bottom.Known!.Value, l = left.Known!.Value, r = right.Known!.Value;
            while (t > 0 || b > 0 || l > 0 || r > 0)
            {
                long maxH = x.Height.Known!.Value - 1, maxW = x.Width.Known!.Value - 1;
                if ((maxH < 1 && (t > 0 || b > 0)) || (maxW < 1 && (l > 0 || r > 0)))
                    throw new ArgumentException("mirror padding needs at least 2 pixels along each padded dimension");
                long st = Math.Min(t, maxH), sb = Math.Min(b, maxH), sl = Math.Min(l, maxW), sr = Math.Min(r, maxW);
                x = g.Pad(x, OnnxDim.Of(st), OnnxDim.Of(sb), OnnxDim.Of(sl), OnnxDim.Of(sr), "reflect");
                t -= st; b -= sb; l -= sl; r -= sr;
            }
            return x;
        }
        for (int step = 0; step < steps; step++)
        {
            OnnxDim maxH = g.Sub(x.Height, 1), maxW = g.Sub(x.Width, 1);
            OnnxDim st = g.Min(top, maxH), sb = g.Min(bottom, maxH), sl = g.Min(left, maxW), sr = g.Min(right, maxW);
            x = g.Pad(x, st, sb, sl, sr, "reflect");
            top = g.Sub(top, st); bottom = g.Sub(bottom, sb); left = g.Sub(left, sl); right = g.Sub(right, sr);
        }
        return x;
    }
}
