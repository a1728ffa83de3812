using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

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
    /// Along an axis where the image is smaller than the tile, the tile shrinks to the image size rounded up to a multiple
    /// of <see cref="SmallImageMultiple"/> (<see cref="EffectiveTile"/>), and the image is padded to it by reflection (or
    /// replication when too small to reflect) and cropped back: a small image is never padded up to a huge tile.
    /// </summary>
    public static Tensor Run(Tensor images, Func<Tensor, Tensor> forward, SlidingWindowOptions? options = null) =>
        Run(images, forward, options, null);

    /// <summary>Pixels a small image is padded to a multiple of along an axis shorter than the tile (<see cref="TileGrid.SmallImageMultiple"/>).</summary>
    public const long SmallImageMultiple = TileGrid.SmallImageMultiple;

    /// <summary>The tile size used along an axis of <paramref name="size"/> pixels (<see cref="TileGrid.EffectiveTile"/>).</summary>
    public static long EffectiveTile(long size, long tile) => TileGrid.EffectiveTile(size, tile);

    /// <summary>Runs the tiles; <paramref name="onClasses"/> sees the class count of the first output before the sums are allocated.</summary>
    internal static Tensor Run(Tensor images, Func<Tensor, Tensor> forward, SlidingWindowOptions? options, Action<long>? onClasses)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(forward);
        var o = options ?? new SlidingWindowOptions();
        o.Validate();
        if (images.dim() != 4) throw new ArgumentException($"sliding-window inference expects N x C x H x W images, got {TensorData.ShapeOf(images)}", nameof(images));

        long height = images.size(2), width = images.size(3);
        long tileH = EffectiveTile(height, o.TileSize.Height), tileW = EffectiveTile(width, o.TileSize.Width);
        long padH = Math.Max(0, tileH - height), padW = Math.Max(0, tileW - width);

        using var scope = NewDisposeScope();
        var input = padH > 0 || padW > 0 ? PadToTile(images, padW, padH) : images;
        long fullH = height + padH, fullW = width + padW;

        var weight = TileWeights(tileH, tileW, o, images.device);
        Tensor? sum = null;
        var weightSum = zeros([1, 1, fullH, fullW], ScalarType.Float32, images.device);
        var tiles = new List<(long Y, long X)>();
        foreach (long y in Starts(fullH, tileH, o.Overlap))
            foreach (long x in Starts(fullW, tileW, o.Overlap))
                tiles.Add((y, x));

        for (int first = 0; first < tiles.Count; first += o.TilesPerBatch)
        {
            using var batchScope = NewDisposeScope();
            var group = tiles.Skip(first).Take(o.TilesPerBatch).ToArray();
            var crops = group.Select(t => input.narrow(2, t.Y, tileH).narrow(3, t.X, tileW)).ToArray();
            var batch = crops.Length == 1 ? crops[0] : cat(crops, 0);
            var output = forward(batch);
            long n = images.size(0);
            if (output.dim() != 4 || output.size(0) != n * group.Length || output.size(2) != tileH || output.size(3) != tileW)
                throw new InvalidOperationException(
                    $"the network returned {TensorData.ShapeOf(output)} for tiles of {TensorData.ShapeOf(batch)}; expected {n * group.Length} x K x {tileH} x {tileW}");
            if (sum is null)
            {
                onClasses?.Invoke(output.size(1));
                sum = zeros([n, output.size(1), fullH, fullW], output.dtype, images.device);
                sum.MoveToOuterDisposeScope();
            }
            var weighted = output * weight.to_type(output.dtype);
            for (int k = 0; k < group.Length; k++)
            {
                var (y, x) = group[k];
                sum.narrow(2, y, tileH).narrow(3, x, tileW).PlusInPlace(weighted.narrow(0, k * n, n));
                weightSum.narrow(2, y, tileH).narrow(3, x, tileW).PlusInPlace(weight);
            }
        }

        var blended = sum! / weightSum.to_type(sum!.dtype);
        var result = padH > 0 || padW > 0 ? blended.narrow(2, 0, height).narrow(3, 0, width).contiguous() : blended;
        return result.MoveToOuterDisposeScope();
    }

    /// <summary>Tile start offsets along one axis (<see cref="TileGrid.Starts"/>).</summary>
    public static IReadOnlyList<long> Starts(long size, long tile, double overlap) => TileGrid.Starts(size, tile, overlap);

    /// <summary>The number of tiles <see cref="Starts"/> places along an axis (<see cref="TileGrid.TileCount"/>).</summary>
    public static long TileCount(long size, long tile, double overlap) => TileGrid.TileCount(size, tile, overlap);

    /// <summary>The 1 x 1 x h x w blending weights of one tile (<see cref="TileGrid.Weights"/>).</summary>
    public static Tensor TileWeights(long tileH, long tileW, SlidingWindowOptions options, Device? device = null) =>
        TensorData.FromSpan<float>(TileGrid.Weights(checked((int)tileH), checked((int)tileW), options), [1, 1, tileH, tileW], device ?? CPU);

    private static Tensor PadToTile(Tensor images, long padW, long padH)
    {
        bool canReflect = padH < images.size(2) && padW < images.size(3);
        return nn.functional.pad(images, [0, padW, 0, padH], canReflect ? PaddingModes.Reflect : PaddingModes.Replicate);
    }

    /// <summary>Horizontal-flip test-time augmentation: the mean of f(x) and flip(f(flip(x))).</summary>
    public static Func<Tensor, Tensor> WithHorizontalFlip(Func<Tensor, Tensor> forward) => x =>
    {
        using var scope = NewDisposeScope();
        var direct = forward(x);
        var flipped = forward(x.flip(3)).flip(3);
        return direct.Plus(flipped).Times(0.5).MoveToOuterDisposeScope();
    };
}
