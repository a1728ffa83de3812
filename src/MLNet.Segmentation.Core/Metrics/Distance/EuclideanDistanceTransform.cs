namespace MLNet.Segmentation.Metrics.Distance;

/// <summary>
/// Exact Euclidean distance transform of a 2-D binary image in linear time (Felzenszwalb and Huttenlocher's
/// lower envelope of parabolas, one pass per axis), with anisotropic pixel spacing.
/// </summary>
public static class EuclideanDistanceTransform
{
    /// <summary>
    /// For every pixel, the Euclidean distance to the nearest pixel where <paramref name="targets"/> is true
    /// (0 on target pixels; +infinity everywhere when there is no target). This equals
    /// scipy.ndimage.distance_transform_edt(~targets, sampling=(spacingY, spacingX)).
    /// </summary>
    public static double[] DistanceToNearest(ReadOnlySpan<bool> targets, int height, int width, double spacingY = 1, double spacingX = 1)
    {
        var squared = SquaredDistanceToNearest(targets, height, width, spacingY, spacingX);
        for (int i = 0; i < squared.Length; i++) squared[i] = Math.Sqrt(squared[i]);
        return squared;
    }

    /// <summary>Squared distances of <see cref="DistanceToNearest"/> (exact, no square root).</summary>
    public static double[] SquaredDistanceToNearest(ReadOnlySpan<bool> targets, int height, int width, double spacingY = 1, double spacingX = 1)
    {
        if (height < 0 || width < 0) throw new ArgumentOutOfRangeException(nameof(height), "image size must be non-negative");
        if ((long)height * width != targets.Length)
            throw new ArgumentException($"mask has {targets.Length} pixels, not {height}x{width}", nameof(targets));
        if (!(spacingY > 0) || !(spacingX > 0)) throw new ArgumentOutOfRangeException(nameof(spacingY), "pixel spacing must be positive");

        var result = new double[targets.Length];
        for (int i = 0; i < result.Length; i++) result[i] = targets[i] ? 0 : double.PositiveInfinity;

        int longest = Math.Max(height, width);
        var line = new double[longest];
        var output = new double[longest];
        var vertices = new int[longest];
        var bounds = new double[longest + 1];

        // Columns first, then rows over the column results.
        for (int x = 0; x < width; x++)
        {
            for (int y = 0; y < height; y++) line[y] = result[y * width + x];
            Envelope1D(line.AsSpan(0, height), output.AsSpan(0, height), spacingY, vertices, bounds);
            for (int y = 0; y < height; y++) result[y * width + x] = output[y];
        }
        for (int y = 0; y < height; y++)
        {
            var row = result.AsSpan(y * width, width);
            row.CopyTo(line);
            Envelope1D(line.AsSpan(0, width), output.AsSpan(0, width), spacingX, vertices, bounds);
            output.AsSpan(0, width).CopyTo(row);
        }
        return result;
    }

    // d(p) = min_q ((p - q) * spacing)^2 + f(q), ignoring q with f(q) = +infinity.
    private static void Envelope1D(ReadOnlySpan<double> f, Span<double> d, double spacing, int[] v, double[] z)
    {
        int n = f.Length;
        int k = -1;
        for (int q = 0; q < n; q++)
        {
            if (double.IsPositiveInfinity(f[q])) continue;
            double xq = q * spacing;
            while (k >= 0)
            {
                double xv = v[k] * spacing;
                double s = (f[q] + xq * xq - (f[v[k]] + xv * xv)) / (2 * (xq - xv));
                if (s <= z[k]) k--;
                else
                {
                    k++;
                    v[k] = q;
                    z[k] = s;
                    z[k + 1] = double.PositiveInfinity;
                    break;
                }
            }
            if (k < 0)
            {
                k = 0;
                v[0] = q;
                z[0] = double.NegativeInfinity;
                z[1] = double.PositiveInfinity;
            }
        }
        if (k < 0)
        {
            d.Fill(double.PositiveInfinity);
            return;
        }
        int j = 0;
        for (int p = 0; p < n; p++)
        {
            double xp = p * spacing;
            while (z[j + 1] < xp) j++;
            double delta = xp - v[j] * spacing;
            d[p] = delta * delta + f[v[j]];
        }
    }
}
