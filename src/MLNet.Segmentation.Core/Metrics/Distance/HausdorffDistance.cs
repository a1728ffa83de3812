namespace MLNet.Segmentation.Metrics.Distance;

/// <summary>
/// Hausdorff distances between binary masks from the exact Euclidean distance transform, with pixel spacing.
/// <para>
/// HD = max(h(A, B), h(B, A)) with the directed distance h(A, B) = max over a in A of the distance from a to the
/// nearest point of B; this equals the maximum of scipy's directed_hausdorff in both directions on the pixel
/// coordinates scaled by the spacing. HD95 follows MONAI's compute_hausdorff_distance(percentile=95): the larger of
/// the two directed 95th percentiles, each the 95th percentile (linear interpolation, as numpy.percentile) of the
/// per-pixel distances of one mask's points to the other mask. <see cref="SurfaceMode"/> selects all foreground
/// pixels or boundary pixels as the points. Both masks empty: NaN; exactly one empty: +infinity.
/// </para>
/// </summary>
public static class HausdorffDistance
{
    /// <summary>HD and HD95 between masks <paramref name="a"/> and <paramref name="b"/> (H x W, row-major).</summary>
    public static HausdorffResult Compute(ReadOnlySpan<bool> a, ReadOnlySpan<bool> b, int height, int width,
        SurfaceMode mode = SurfaceMode.AllPixels, double spacingY = 1, double spacingX = 1)
    {
        if (a.Length != b.Length || (long)height * width != a.Length)
            throw new ArgumentException($"masks have {a.Length} and {b.Length} pixels, not {height}x{width}");
        bool aEmpty = a.IndexOf(true) < 0, bEmpty = b.IndexOf(true) < 0;
        if (aEmpty && bEmpty) return HausdorffResult.BothEmpty;
        if (aEmpty || bEmpty) return HausdorffResult.OneEmpty;

        var pointsA = mode == SurfaceMode.Boundary ? Boundary(a, height, width) : a.ToArray();
        var pointsB = mode == SurfaceMode.Boundary ? Boundary(b, height, width) : b.ToArray();
        var ab = DirectedDistances(pointsA, pointsB, height, width, spacingY, spacingX);
        var ba = DirectedDistances(pointsB, pointsA, height, width, spacingY, spacingX);
        return new HausdorffResult(Math.Max(ab[^1], ba[^1]), Math.Max(Percentile(ab, 95), Percentile(ba, 95)));
    }

    /// <summary>
    /// HD and HD95 of every class 0..K-1 between predicted and true class-id masks; pixels whose target is
    /// <paramref name="ignoreIndex"/> belong to no class in either mask.
    /// </summary>
    public static HausdorffResult[] PerClass(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> target, int height, int width,
        int numClasses, long? ignoreIndex = null, SurfaceMode mode = SurfaceMode.AllPixels, double spacingY = 1, double spacingX = 1)
    {
        if (prediction.Length != target.Length || (long)height * width != target.Length)
            throw new ArgumentException($"masks have {prediction.Length} and {target.Length} pixels, not {height}x{width}");
        var results = new HausdorffResult[numClasses];
        var predicted = new bool[target.Length];
        var truth = new bool[target.Length];
        for (int c = 0; c < numClasses; c++)
        {
            for (int i = 0; i < target.Length; i++)
            {
                bool counted = ignoreIndex != target[i];
                predicted[i] = counted && prediction[i] == c;
                truth[i] = counted && target[i] == c;
            }
            results[c] = Compute(predicted, truth, height, width, mode, spacingY, spacingX);
        }
        return results;
    }

    /// <summary>The q-th percentile (0..100) of ascending sorted values with linear interpolation (numpy's default).</summary>
    public static double Percentile(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.Length == 0) return double.NaN;
        if (q is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(q), q, "percentile must be in [0, 100]");
        double position = q / 100 * (sorted.Length - 1);
        int lower = (int)Math.Floor(position);
        int upper = Math.Min(lower + 1, sorted.Length - 1);
        double fraction = position - lower;
        return sorted[lower] + (sorted[upper] - sorted[lower]) * fraction;
    }

    // Distances from every point of `from` to the nearest point of `to`, sorted ascending.
    private static double[] DirectedDistances(bool[] from, bool[] to, int height, int width, double spacingY, double spacingX)
    {
        var distance = EuclideanDistanceTransform.DistanceToNearest(to, height, width, spacingY, spacingX);
        var values = new List<double>();
        for (int i = 0; i < from.Length; i++) if (from[i]) values.Add(distance[i]);
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    // Foreground pixels with a 4-neighbour that is background or outside the image (mask XOR its erosion).
    private static bool[] Boundary(ReadOnlySpan<bool> mask, int height, int width)
    {
        var boundary = new bool[mask.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                if (!mask[i]) continue;
                boundary[i] = y == 0 || x == 0 || y == height - 1 || x == width - 1
                              || !mask[i - width] || !mask[i + width] || !mask[i - 1] || !mask[i + 1];
            }
        }
        return boundary;
    }
}
