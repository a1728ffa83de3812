using MLNet.Segmentation.Inference;

namespace MLNet.Segmentation.Onnx;

/// <summary>Host-side operations on N x C x H x W float arrays (row-major) that the ONNX predictor needs around the graph.</summary>
internal static class HostPlanes
{
    /// <summary>A copy padded at the bottom and right by reflection (as torch's reflect pad: the edge is not repeated), or by
    /// replication when a pad is not smaller than the size.</summary>
    public static float[] PadBottomRight(float[] x, int n, int c, int h, int w, int padH, int padW)
    {
        bool reflect = padH < h && padW < w;
        int outH = h + padH, outW = w + padW;
        var result = new float[(long)n * c * outH * outW];
        for (int plane = 0; plane < n * c; plane++)
            for (int y = 0; y < outH; y++)
            {
                int sy = Source(y, h, reflect);
                for (int xo = 0; xo < outW; xo++)
                    result[((long)plane * outH + y) * outW + xo] = x[((long)plane * h + sy) * w + Source(xo, w, reflect)];
            }
        return result;
    }

    private static int Source(int i, int size, bool reflect) => i < size ? i : reflect ? 2 * (size - 1) - i : size - 1;

    /// <summary>The <paramref name="tileH"/> x <paramref name="tileW"/> window at (<paramref name="top"/>, <paramref name="left"/>) of every plane.</summary>
    public static void CopyWindow(float[] x, int planes, int h, int w, int top, int left, int tileH, int tileW, float[] destination, long offset)
    {
        for (int p = 0; p < planes; p++)
            for (int y = 0; y < tileH; y++)
                Array.Copy(x, ((long)p * h + top + y) * w + left, destination, offset + ((long)p * tileH + y) * tileW, tileW);
    }

    /// <summary>Mirrors every row (flip along the width).</summary>
    public static float[] FlipWidth(float[] x, int w)
    {
        var result = new float[x.Length];
        for (long row = 0; row < x.LongLength / w; row++)
            for (int i = 0; i < w; i++) result[row * w + i] = x[row * w + (w - 1 - i)];
        return result;
    }

    /// <summary>
    /// Softmax over the class axis of N x K x H x W logits, in place; <see cref="InvalidOperationException"/> naming the
    /// count when any logit is NaN or infinite (broken weights or input give an error, never masks).
    /// </summary>
    public static void SoftmaxClasses(float[] logits, int n, int k, int plane)
    {
        long bad = 0;
        foreach (float v in logits) if (!float.IsFinite(v)) bad++;
        if (bad > 0)
            throw new InvalidOperationException(
                $"the network's logits have {bad} non-finite values (NaN or infinity) of {logits.LongLength}: its weights or the input are broken");
        for (int b = 0; b < n; b++)
        {
            long baseIndex = (long)b * k * plane;
            for (int p = 0; p < plane; p++)
            {
                float max = float.NegativeInfinity;
                for (int c = 0; c < k; c++) max = Math.Max(max, logits[baseIndex + (long)c * plane + p]);
                double sum = 0;
                for (int c = 0; c < k; c++)
                {
                    long i = baseIndex + (long)c * plane + p;
                    float e = MathF.Exp(logits[i] - max);
                    logits[i] = e;
                    sum += e;
                }
                float inverse = (float)(1 / sum);
                for (int c = 0; c < k; c++) logits[baseIndex + (long)c * plane + p] *= inverse;
            }
        }
    }

    /// <summary>The class of highest probability at each pixel of K x H x W values (the first on ties, as torch's argmax).</summary>
    public static byte[] ArgMaxClasses(float[] probabilities, long offset, int k, int plane)
    {
        var ids = new byte[plane];
        long nan = ClassScoreArgMax.Compute<byte>(probabilities.AsSpan(checked((int)offset), checked(k * plane)), k, ids);
        if (nan >= 0) throw new InvalidOperationException($"the probabilities hold NaN at pixel {nan % plane}, class {nan / plane}");
        return ids;
    }
}
