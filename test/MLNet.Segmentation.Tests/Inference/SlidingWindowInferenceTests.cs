using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;

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
    }

    [TestMethod]
    public void PointwiseNetworkGivesTheWholeImageResultForAnyTiling()
    {
        // A per-pixel network is translation invariant, so the blended tiles must equal one whole-image pass exactly.
        using var scope = DisposeScope.Enter();
        using var g = new Generator(5);
        var weight = Tensor.Randn([3, 2, 1, 1], g);
        var bias = Tensor.Randn([3], g);
        Tensor Network(Tensor x) => Functional.Conv2d(x, weight, bias);
        var images = Tensor.Randn([2, 2, 37, 53], g);
        var whole = Network(images);

        foreach (var options in new[]
        {
            new SlidingWindowOptions { TileSize = (16, 16), Overlap = 0.25 },
            new SlidingWindowOptions { TileSize = (20, 12), Overlap = 0.5, Blending = TileBlending.Constant, TilesPerBatch = 3 },
            new SlidingWindowOptions { TileSize = (64, 64) },
        })
        {
            var tiled = SlidingWindowInference.Run(images, Network, options);
            CollectionAssert.AreEqual(whole.Shape, tiled.Shape);
            Assert.IsTrue(tiled.AllClose(whole, 1e-5, 1e-5), $"tile {options.TileSize}, overlap {options.Overlap}");
        }
    }

    [TestMethod]
    public void GaussianWeightsPeakInTheCentreAndStayPositive()
    {
        using var scope = DisposeScope.Enter();
        var weights = SlidingWindowInference.TileWeights(9, 9, new SlidingWindowOptions()).ToArray<float>();
        Assert.AreEqual(1f, weights[4 * 9 + 4], 1e-6f);
        Assert.AreEqual(weights.Max(), weights[4 * 9 + 4]);
        Assert.IsTrue(weights.Min() >= 1e-3f);
        Assert.IsTrue(weights[0] < weights[4 * 9 + 4]);
    }

    [TestMethod]
    public void FlipAugmentationOfAFlipEquivariantNetworkChangesNothing()
    {
        using var scope = DisposeScope.Enter();
        using var g = new Generator(6);
        var images = Tensor.Randn([1, 1, 8, 10], g);
        var symmetric = Tensor.FromArray(new[] { 1f, 2f, 1f, 2f, 4f, 2f, 1f, 2f, 1f }, 1, 1, 3, 3);
        Tensor Network(Tensor x) => Functional.Conv2d(x, symmetric, padding: 1);
        var plain = Network(images);
        var augmented = SlidingWindowInference.WithHorizontalFlip(Network)(images);
        Assert.IsTrue(augmented.AllClose(plain, 1e-5, 1e-5));

        var asymmetric = Tensor.FromArray(new[] { 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 0f }, 1, 1, 3, 3);
        Tensor Shift(Tensor x) => Functional.Conv2d(x, asymmetric, padding: 1);
        Assert.IsFalse(SlidingWindowInference.WithHorizontalFlip(Shift)(images).AllClose(Shift(images), 1e-5, 1e-5));
    }

    [TestMethod]
    public void WrongNetworkOutputShapeIsReported()
    {
        using var scope = DisposeScope.Enter();
        var images = Tensor.Zeros([1, 1, 20, 20]);
        var error = Assert.ThrowsExactly<InvalidOperationException>(() =>
            SlidingWindowInference.Run(images, x => Functional.MaxPool2d(x, 2), new SlidingWindowOptions { TileSize = (8, 8) }));
        StringAssert.Contains(error.Message, "returned [4, 1, 4, 4] for tiles of [4, 1, 8, 8]");
    }
}
