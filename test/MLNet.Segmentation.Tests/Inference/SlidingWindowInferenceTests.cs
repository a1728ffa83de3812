using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Inference;

[TestClass]
public sealed class SlidingWindowInferenceTests
{
    [TestMethod]
    public void TileStartsCoverTheImageAndEndFlush()
    {
        CollectionAssert.AreEqual(new long[] { 0, 9, 19, 28, 37 }, SlidingWindowInference.Starts(53, 16, 0.25).ToArray());
        CollectionAssert.AreEqual(new long[] { 0 }, SlidingWindowInference.Starts(10, 16, 0.5).ToArray());
        CollectionAssert.AreEqual(new long[] { 0, 16 }, SlidingWindowInference.Starts(32, 16, 0).ToArray());
        CollectionAssert.AreEqual(new long[] { 0 }, SlidingWindowInference.Starts(16, 16, 0.9).ToArray());
        foreach (var (size, tile, overlap) in new (long, long, double)[] { (100, 17, 0.3), (257, 64, 0.5), (33, 32, 0.1) })
        {
            var starts = SlidingWindowInference.Starts(size, tile, overlap);
            Assert.AreEqual(0, starts[0]);
            Assert.AreEqual(size - tile, starts[^1], "the last tile is flush with the end");
            Assert.IsTrue(starts.Zip(starts.Skip(1)).All(p => p.Second - p.First <= Math.Round(tile * (1 - overlap)) && p.Second > p.First));
        }
    }

    [TestMethod]
    public void PointwiseNetworkGivesTheWholeImageResultForAnyTiling()
    {
        // A per-pixel network is translation invariant, so the blended tiles must equal one whole-image pass.
        using var scope = NewDisposeScope();
        using var g = new Generator(5);
        var weight = randn([3, 2, 1, 1], generator: g);
        var bias = randn([3], generator: g);
        Tensor Network(Tensor x) => nn.functional.conv2d(x, weight, bias);
        var images = randn([2, 2, 37, 53], generator: g);
        var whole = Network(images);

        foreach (var options in new[]
        {
            new SlidingWindowOptions { TileSize = (16, 16), Overlap = 0.25 },
            new SlidingWindowOptions { TileSize = (20, 12), Overlap = 0.5, Blending = TileBlending.Constant, TilesPerBatch = 3 },
            new SlidingWindowOptions { TileSize = (64, 64) },
            new SlidingWindowOptions { TileSize = (40, 8), TilesPerBatch = 1 },
        })
        {
            var tiled = SlidingWindowInference.Run(images, Network, options);
            CollectionAssert.AreEqual(whole.shape, tiled.shape);
            Assert.IsTrue(TensorAssert.MaxAbsDifference(tiled, whole) < 1e-5, $"tile {options.TileSize}, overlap {options.Overlap}");
        }
        // An image smaller than a tile even in replication range (3 x 3 under a 16 x 16 tile).
        var tiny = randn([1, 2, 3, 3], generator: g);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(SlidingWindowInference.Run(tiny, Network, new SlidingWindowOptions { TileSize = (16, 16) }), Network(tiny)) < 1e-5);
    }

    [TestMethod]
    public void TilesPerBatchGroupsTheForwardCalls()
    {
        using var scope = NewDisposeScope();
        var images = zeros(1, 1, 32, 32);
        var batches = new List<long>();
        Tensor Count(Tensor x)
        {
            batches.Add(x.size(0));
            return x;
        }
        SlidingWindowInference.Run(images, Count, new SlidingWindowOptions { TileSize = (16, 16), Overlap = 0, TilesPerBatch = 3 });
        CollectionAssert.AreEqual(new long[] { 3, 1 }, batches, "four tiles in batches of three");
    }

    [TestMethod]
    public void GaussianWeightsPeakInTheCentreAndStayPositive()
    {
        using var scope = NewDisposeScope();
        var weights = TensorData.ToArray<float>(SlidingWindowInference.TileWeights(9, 9, new SlidingWindowOptions()));
        Assert.AreEqual(1f, weights[4 * 9 + 4], 1e-6f);
        Assert.AreEqual(weights.Max(), weights[4 * 9 + 4]);
        Assert.IsTrue(weights.Min() >= 1e-3f);
        Assert.IsTrue(weights[0] < weights[4 * 9 + 4]);
        Assert.AreEqual(weights[0], weights[80], "symmetric");
        var constant = TensorData.ToArray<float>(SlidingWindowInference.TileWeights(3, 5, new SlidingWindowOptions { Blending = TileBlending.Constant }));
        Assert.IsTrue(constant.Length == 15 && constant.All(v => v == 1f));
    }

    [TestMethod]
    public void FlipAugmentationOfAFlipEquivariantNetworkChangesNothing()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(6);
        var images = randn([1, 1, 8, 10], generator: g);
        var symmetric = TensorData.FromArray(new[] { 1f, 2f, 1f, 2f, 4f, 2f, 1f, 2f, 1f }, 1, 1, 3, 3);
        Tensor Network(Tensor x) => nn.functional.conv2d(x, symmetric, null, [1, 1], [1, 1]);
        var plain = Network(images);
        var augmented = SlidingWindowInference.WithHorizontalFlip(Network)(images);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(augmented, plain) < 1e-5);

        var asymmetric = TensorData.FromArray(new[] { 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 0f }, 1, 1, 3, 3);
        Tensor Shift(Tensor x) => nn.functional.conv2d(x, asymmetric, null, [1, 1], [1, 1]);
        var shiftedBoth = SlidingWindowInference.WithHorizontalFlip(Shift)(images);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(shiftedBoth, Shift(images)) > 1e-3);
        // The mean of a shift right and its mirror, a shift left.
        var expected = (Shift(images) + Shift(images.flip(3)).flip(3)) * 0.5;
        Assert.IsTrue(TensorAssert.MaxAbsDifference(shiftedBoth, expected) < 1e-6);
    }

    [TestMethod]
    public void WrongNetworkOutputShapeAndBadOptionsAreReported()
    {
        using var scope = NewDisposeScope();
        var images = zeros(1, 1, 20, 20);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            SlidingWindowInference.Run(images, x => nn.functional.max_pool2d(x, 2), new SlidingWindowOptions { TileSize = (8, 8) }));
        StringAssert.Contains(error.Message, "returned [4, 1, 4, 4] for tiles of [4, 1, 8, 8]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => SlidingWindowInference.Run(zeros(1, 20, 20), x => x)).Message, "[1, 20, 20]");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SlidingWindowInference.Run(images, x => x, new SlidingWindowOptions { Overlap = 1 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SlidingWindowInference.Run(images, x => x, new SlidingWindowOptions { TileSize = (0, 8) }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SlidingWindowInference.Run(images, x => x, new SlidingWindowOptions { TilesPerBatch = 0 }));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => SlidingWindowInference.Run(images, x => x, new SlidingWindowOptions { SigmaScale = 0 }));
    }
}
