namespace MLNet.Segmentation.Inference;

/// <summary>
/// Where sliding-window inference places its tiles and how it weights them: the arithmetic shared by the TorchSharp
/// predictor (<c>SlidingWindowInference</c>) and the ONNX Runtime one, so both see the same tiles.
/// </summary>
public static class TileGrid
{
    /// <summary>Pixels a small image is padded to a multiple of along an axis shorter than the tile (every catalog network's largest stride).</summary>
    public const long SmallImageMultiple = 32;

    /// <summary>
    /// The tile size used along an axis of <paramref name="size"/> pixels: <paramref name="tile"/>, or when the image is
    /// smaller, the image size rounded up to a multiple of <see cref="SmallImageMultiple"/> if that is smaller still.
    /// </summary>
    public static long EffectiveTile(long size, long tile)
    {
        if (size <= 0 || tile <= 0) throw new ArgumentOutOfRangeException(nameof(size), $"sizes must be positive, got image {size} and tile {tile}");
        if (tile <= size) return tile;
        long rounded = (size + SmallImageMultiple - 1) / SmallImageMultiple * SmallImageMultiple;
        return Math.Min(tile, rounded);
    }

    /// <summary>
    /// Tile start offsets along one axis: the fewest tiles whose spacing is at most tile·(1 − overlap), spread evenly
    /// from 0 to size − tile (so neighbours overlap at least as requested and the last tile is flush with the end).
    /// </summary>
    public static IReadOnlyList<long> Starts(long size, long tile, double overlap)
    {
        if (tile >= size) return [0];
        long span = size - tile;
        long count = TileCount(size, tile, overlap);
        var starts = new long[count];
        for (long i = 0; i < count; i++) starts[i] = (long)Math.Floor((double)i * span / (count - 1) + 0.5);
        return starts;
    }

    /// <summary>The number of tiles <see cref="Starts"/> places along an axis (computed without placing them).</summary>
    public static long TileCount(long size, long tile, double overlap)
    {
        if (tile >= size) return 1;
        long stride = Math.Max(1, (long)Math.Round(tile * (1 - overlap)));
        return (size - tile + stride - 1) / stride + 1;
    }

    /// <summary>
    /// The h x w blending weights of one tile, row-major: 1 everywhere for <see cref="TileBlending.Constant"/>, else a
    /// Gaussian of peak 1 (sigma = <see cref="SlidingWindowOptions.SigmaScale"/> x the tile size), never below 1e-3 so
    /// every pixel counts.
    /// </summary>
    public static float[] Weights(int tileH, int tileW, SlidingWindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var map = new float[checked(tileH * tileW)];
        if (options.Blending == TileBlending.Constant)
        {
            Array.Fill(map, 1f);
            return map;
        }
        var gy = Gaussian(tileH, options.SigmaScale * tileH);
        var gx = Gaussian(tileW, options.SigmaScale * tileW);
        for (int y = 0; y < tileH; y++)
            for (int x = 0; x < tileW; x++) map[y * tileW + x] = Math.Max(gy[y] * gx[x], 1e-3f);
        return map;
    }

    private static float[] Gaussian(int length, double sigma)
    {
        var values = new float[length];
        double centre = (length - 1) / 2.0;
        for (int i = 0; i < length; i++) values[i] = (float)Math.Exp(-Math.Pow(i - centre, 2) / (2 * sigma * sigma));
        return values;
    }
}
