using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Inference;

/// <summary>
/// Runs a network over an image larger than its training crops tile by tile and blends the overlapping
/// outputs with per-pixel weights (Gaussian by default), so seams do not show.
/// </summary>
public static class SlidingWindowInference
{
    /// <summary>
    /// Applies <paramref name="forward"/> (N x C x h x w → N x K x h x w) to tiles of <paramref name="images"/> and returns
    /// the blended N x K x H x W output: at each pixel, the weighted mean of the outputs of the tiles covering it.
    /// Images smaller than a tile are padded by reflection (or replication when too small to reflect) and cropped back.
    /// </summary>
    public static Tensor Run(Tensor images, Func<Tensor, Tensor> forward, SlidingWindowOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(forward);
        var o = options ?? new SlidingWindowOptions();
        o.Validate();
        if (images.Dim != 4) throw new ArgumentException($"sliding-window inference expects N x C x H x W images, got {images.ShapeString}", nameof(images));

        long height = images.Size(2), width = images.Size(3);
        long tileH = o.TileSize.Height, tileW = o.TileSize.Width;
        long padH = Math.Max(0, tileH - height), padW = Math.Max(0, tileW - width);

        using var scope = DisposeScope.Enter();
        var input = padH > 0 || padW > 0 ? PadToTile(images, padW, padH) : images;
        long fullH = height + padH, fullW = width + padW;

        var weight = TileWeights(tileH, tileW, o, images.Device);
        Tensor? sum = null;
        var weightSum = Tensor.Zeros([1, 1, fullH, fullW], DType.Float32, images.Device);
        var tiles = new List<(long Y, long X)>();
        foreach (long y in Starts(fullH, tileH, o.Overlap))
            foreach (long x in Starts(fullW, tileW, o.Overlap))
                tiles.Add((y, x));

        for (int first = 0; first < tiles.Count; first += o.TilesPerBatch)
        {
            using var batchScope = DisposeScope.Enter();
            var group = tiles.Skip(first).Take(o.TilesPerBatch).ToArray();
            var crops = group.Select(t => input.Narrow(2, t.Y, tileH).Narrow(3, t.X, tileW)).ToArray();
            var batch = crops.Length == 1 ? crops[0] : Tensor.Cat(crops, 0);
            var output = forward(batch);
            long n = images.Size(0);
            if (output.Dim != 4 || output.Size(0) != n * group.Length || output.Size(2) != tileH || output.Size(3) != tileW)
                throw new InvalidOperationException(
                    $"the network returned {output.ShapeString} for tiles of {batch.ShapeString}; expected {n * group.Length} x K x {tileH} x {tileW}");
            if (sum is null)
            {
                sum = Tensor.Zeros([n, output.Size(1), fullH, fullW], output.DType, images.Device);
                sum.MoveToOuterDisposeScope();
            }
            var weighted = output * weight.To(output.DType);
            for (int k = 0; k < group.Length; k++)
            {
                var (y, x) = group[k];
                sum.Narrow(2, y, tileH).Narrow(3, x, tileW).AddInPlace(weighted.Narrow(0, k * n, n));
                weightSum.Narrow(2, y, tileH).Narrow(3, x, tileW).AddInPlace(weight);
            }
        }

        var blended = sum! / weightSum.To(sum!.DType);
        var result = padH > 0 || padW > 0 ? blended.Narrow(2, 0, height).Narrow(3, 0, width).Contiguous() : blended;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Tile start offsets along one axis: the fewest tiles whose spacing is at most tile·(1 − overlap), spread evenly
    /// from 0 to size − tile (so neighbours overlap at least as requested and the last tile is flush with the end).
    /// </summary>
    public static IReadOnlyList<long> Starts(long size, long tile, double overlap)
    {
        if (tile >= size) return [0];
        long stride = Math.Max(1, (long)Math.Round(tile * (1 - overlap)));
        long span = size - tile;
        long count = (span + stride - 1) / stride + 1;
        var starts = new long[count];
        for (long i = 0; i < count; i++) starts[i] = (long)Math.Floor((double)i * span / (count - 1) + 0.5);
        return starts;
    }

    /// <summary>The 1 x 1 x h x w blending weights of one tile (Gaussian peak 1, never below 1e-3 so every pixel counts).</summary>
    public static Tensor TileWeights(long tileH, long tileW, SlidingWindowOptions options, Device? device = null)
    {
        var d = device ?? Device.Cpu;
        if (options.Blending == TileBlending.Constant) return Tensor.Ones([1, 1, tileH, tileW], DType.Float32, d);
        using var scope = DisposeScope.Enter();
        var gy = Gaussian1D(tileH, options.SigmaScale * tileH, d).Reshape(1, 1, tileH, 1);
        var gx = Gaussian1D(tileW, options.SigmaScale * tileW, d).Reshape(1, 1, 1, tileW);
        var map = (gy * gx).Clamp(min: 1e-3);
        return map.MoveToOuterDisposeScope();
    }

    private static Tensor Gaussian1D(long length, double sigma, Device device)
    {
        var values = new float[length];
        double centre = (length - 1) / 2.0;
        for (long i = 0; i < length; i++) values[i] = (float)Math.Exp(-Math.Pow(i - centre, 2) / (2 * sigma * sigma));
        return Tensor.FromSpan<float>(values, [length], device);
    }

    private static Tensor PadToTile(Tensor images, long padW, long padH)
    {
        bool canReflect = padH < images.Size(2) && padW < images.Size(3);
        return images.Pad([0, padW, 0, padH], canReflect ? PadMode.Reflect : PadMode.Replicate);
    }

    /// <summary>Horizontal-flip test-time augmentation: the mean of f(x) and flip(f(flip(x))).</summary>
    public static Func<Tensor, Tensor> WithHorizontalFlip(Func<Tensor, Tensor> forward) => x =>
    {
        using var scope = DisposeScope.Enter();
        var direct = forward(x);
        var flipped = forward(x.Flip(3)).Flip(3);
        return ((direct + flipped) * 0.5).MoveToOuterDisposeScope();
    };
}
