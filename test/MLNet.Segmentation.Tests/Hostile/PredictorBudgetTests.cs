using System.Diagnostics;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Hostile;

[TestClass]
public sealed class PredictorBudgetTests
{
    private static Sequential Net(long classes = 2)
    {
        random.manual_seed(3);
        return nn.Sequential(Layers.Conv2d(3, classes, 1));
    }

    [TestMethod]
    public void ASmallImageIsNotPaddedUpToAHugeTile()
    {
        using var scope = NewDisposeScope();
        var seen = new List<long[]>();
        var images = rand(1, 3, 32, 20);
        Tensor Record(Tensor x)
        {
            seen.Add(x.shape);
            return x;
        }
        var output = SlidingWindowInference.Run(images, Record, new SlidingWindowOptions { TileSize = (4096, 4096) });
        CollectionAssert.AreEqual(new long[] { 1, 3, 32, 20 }, output.shape);
        Assert.AreEqual(1, seen.Count);
        CollectionAssert.AreEqual(new long[] { 1, 3, 32, 32 }, seen[0], "the tile shrinks to the image rounded up to 32 pixels");
        Assert.IsTrue(TensorAssert.MaxAbsDifference(output, images) < 1e-6);
        Assert.AreEqual(64L, SlidingWindowInference.EffectiveTile(33, 4096));
        Assert.AreEqual(48L, SlidingWindowInference.EffectiveTile(40, 48), "a tile just above the image is kept");
        Assert.AreEqual(256L, SlidingWindowInference.EffectiveTile(1000, 256));
    }

    [TestMethod]
    public void ABatchOverMaxPixelsIsRefusedBeforeAnythingIsAllocated()
    {
        using var model = Net();
        var predictor = new SegmentationPredictor(model);
        using var scope = NewDisposeScope();
        // 4096 x 4096 = 2^24 pixels, eight times the default limit; an expanded view costs no memory.
        var huge = zeros(1, 1, 1, 1).expand(1, 3, 4096, 4096);
        long tensors = LiveTensors.Settled();
        var clock = Stopwatch.StartNew();
        var error = Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(huge).Dispose());
        Assert.IsTrue(clock.ElapsedMilliseconds < 500, $"{clock.ElapsedMilliseconds} ms");
        Assert.AreEqual(tensors, Tensor.TotalCount);
        StringAssert.StartsWith(error.Message, "PredictorOptions.MaxPixels: a 1 x 3 x 4096 x 4096 batch sends 16777216 pixels through the network at once, more than the limit of 2097152");
        Assert.IsFalse(error.Message.Contains('\n'));

        // A sliding window sees one group of tiles at a time, and the same image fits.
        var tiled = new SegmentationPredictor(model, new PredictorOptions { SlidingWindow = new SlidingWindowOptions { TileSize = (512, 512), TilesPerBatch = 2 }, MaxPixels = 1 << 19 });
        var budget = new InferenceBudget(1, 3, 4096, 4096, 2, new SlidingWindowOptions { TileSize = (512, 512), TilesPerBatch = 2 }, false, false);
        Assert.AreEqual(2.0 * 512 * 512, budget.NetworkPixels);
        var overTiles = Assert.ThrowsExactly<ArgumentException>(() =>
            new SegmentationPredictor(model, new PredictorOptions { SlidingWindow = new SlidingWindowOptions { TileSize = (512, 512), TilesPerBatch = 4 }, MaxPixels = 1 << 19 })
                .Predict(huge).Dispose());
        StringAssert.Contains(overTiles.Message, "sends 1048576 pixels");
        StringAssert.Contains(overTiles.Message, "fewer tiles per batch");
        Assert.IsNotNull(tiled);
    }

    [TestMethod]
    public void TheByteEstimateCountsClassesBatchAndPaddingAndIsRefusedNamingMaxBytes()
    {
        var whole = new InferenceBudget(2, 3, 100, 100, 10, null, false, false);
        // float copy + normalized input (2 x 3 channels), logits + probabilities (2 x 10 classes), int64 ids.
        Assert.AreEqual(4.0 * 20000 * (2 * 3 + 2 * 10) + 8.0 * 20000, whole.Bytes);
        var flipped = whole with { Flip = true };
        Assert.IsTrue(flipped.Bytes > whole.Bytes);
        var small = new InferenceBudget(1, 3, 10, 10, 2, new SlidingWindowOptions { TileSize = (256, 256) }, false, false);
        Assert.AreEqual((32L, 32L), small.PaddedSize, "padded to 32 pixels, not to the 256 tile");

        using var model = Net(classes: 64);
        var predictor = new SegmentationPredictor(model, new PredictorOptions { MaxBytes = 64 << 20, MaxPixels = 1 << 22 });
        using var scope = NewDisposeScope();
        // A plain module's class count is unknown before its output: at least one class is counted.
        var error = Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(zeros(1, 1, 1, 1).expand(1, 3, 2048, 2048)).Dispose());
        StringAssert.StartsWith(error.Message, "PredictorOptions.MaxBytes: predicting a 1 x 3 x 2048 x 2048 batch with 1 classes needs about 160 MiB of tensors, more than the limit of 64 MiB");
        // A SegmentationModel's class count is known up front; a sliding window learns it from the first tiles.
        var tiled = new SegmentationPredictor(model, new PredictorOptions { MaxBytes = 128 << 20, SlidingWindow = new SlidingWindowOptions { TileSize = (64, 64) } });
        var late = Assert.ThrowsExactly<ArgumentException>(() => tiled.Predict(zeros(1, 1, 1, 1).expand(1, 3, 1024, 1024)).Dispose());
        StringAssert.Contains(late.Message, "with 64 classes");
    }

    [TestMethod]
    public void NonFiniteLogitsAreAnErrorNotAMask()
    {
        using var model = Net();
        using (no_grad()) model.parameters().First().fill_(float.NaN);
        var predictor = new SegmentationPredictor(model);
        using var scope = NewDisposeScope();
        var error = Assert.ThrowsExactly<InvalidOperationException>(() => predictor.Predict(rand(1, 3, 8, 8)).Dispose());
        StringAssert.Contains(error.Message, "the network's logits have 128 non-finite values (NaN or infinity) of 128");
        var tiled = new SegmentationPredictor(model, new PredictorOptions { SlidingWindow = new SlidingWindowOptions { TileSize = (4, 4) }, HorizontalFlip = true });
        Assert.ThrowsExactly<InvalidOperationException>(() => tiled.Predict(rand(1, 3, 8, 8)).Dispose());
    }

    [TestMethod]
    public void BadBudgetOptionsAreRefused()
    {
        using var model = Net();
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { MaxPixels = 0 })).Message, "PredictorOptions.MaxPixels must be positive");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { MaxBytes = -1 })).Message, "PredictorOptions.MaxBytes must be positive");
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { Mean = [float.NaN, 0, 0], Std = [1, 1, 1] }));
    }
}
