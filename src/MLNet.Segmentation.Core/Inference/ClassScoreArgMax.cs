using System.Numerics;

namespace MLNet.Segmentation.Inference;

/// <summary>
/// The class of highest score at each pixel of K x H x W scores on the host (the first on ties, as torch's argmax): the
/// one loop behind the ONNX predictor's class ids and ML.NET's ArgMaxMask.
/// </summary>
internal static class ClassScoreArgMax
{
    /// <summary>
    /// Writes the arg-max over <paramref name="classes"/> planes of <paramref name="scores"/> (class-major, each plane
    /// <paramref name="ids"/>.Length long) into <paramref name="ids"/>. Returns -1, or the flat index (class x plane +
    /// pixel) of the first NaN met, at which it stops.
    /// </summary>
    public static long Compute<T>(ReadOnlySpan<float> scores, int classes, Span<T> ids) where T : unmanaged, INumberBase<T>
    {
        int plane = ids.Length;
        if (classes < 1 || (long)classes * plane != scores.Length)
            throw new ArgumentException($"{scores.Length} scores are not {classes} planes of {plane} pixels");
        for (int p = 0; p < plane; p++)
        {
            int best = 0;
            float bestValue = scores[p];
            if (float.IsNaN(bestValue)) return p;
            for (int c = 1; c < classes; c++)
            {
                float v = scores[c * plane + p];
                if (float.IsNaN(v)) return (long)c * plane + p;
                if (v > bestValue) (best, bestValue) = (c, v);
            }
            ids[p] = T.CreateTruncating(best);
        }
        return -1;
    }
}
