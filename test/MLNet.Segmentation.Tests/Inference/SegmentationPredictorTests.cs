using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Tests.Inference;

[TestClass]
public sealed class SegmentationPredictorTests
{
    private static Sequential Net()
    {
        using var g = new Generator(4);
        return new Sequential(new Conv2d(3, 6, 3, padding: 1, generator: g), new ReLU(), new Conv2d(6, 4, 1, generator: g));
    }

    [TestMethod]
    public void ProbabilitiesAreNormalizedSoftmaxAndClassIdsTheirArgmax()
    {
        using var scope = DisposeScope.Enter();
        using var model = Net();
        using var g = new Generator(1);
        var images = Tensor.Rand([2, 3, 17, 23], g);
        var predictor = new SegmentationPredictor(model, new PredictorOptions { Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] });
        using var prediction = predictor.Predict(images);

        CollectionAssert.AreEqual(new long[] { 2, 4, 17, 23 }, prediction.Probabilities.Shape);
        CollectionAssert.AreEqual(new long[] { 2, 17, 23 }, prediction.ClassIds.Shape);
        Assert.IsTrue(prediction.Probabilities.Sum(1).AllClose(Tensor.Ones([2, 17, 23]), 1e-5, 1e-5));
        using (Autograd.NoGrad())
        {
            var expected = Functional.Softmax(model.Forward((images - 0.5) / 0.25), 1);
            Assert.IsTrue(prediction.Probabilities.AllClose(expected, 1e-5, 1e-6));
        }
        Assert.IsTrue(prediction.ClassIds.Equal(prediction.Probabilities.ArgMax(1)));
        using var single = predictor.Predict(images.Select(0, 1));
        Assert.IsTrue(single.ClassIds.Select(0, 0).Equal(prediction.ClassIds.Select(0, 1)));
    }

    [TestMethod]
    public void ChannelsLastPredictsWhatContiguousPredicts()
    {
        using var scope = DisposeScope.Enter();
        using var contiguousModel = Net();
        using var channelsLastModel = Net();
        using var g = new Generator(5);
        var images = Tensor.Rand([2, 3, 17, 23], g);
        using var expected = new SegmentationPredictor(contiguousModel, new PredictorOptions { MemoryFormat = MemoryFormat.Contiguous }).Predict(images);
        Assert.IsTrue(contiguousModel.Parameters().Where(p => p.Dim == 4).All(p => p.IsContiguous(MemoryFormat.Contiguous)), "kernels stay contiguous");
        using var actual = new SegmentationPredictor(channelsLastModel, new PredictorOptions { MemoryFormat = MemoryFormat.ChannelsLast }).Predict(images);
        Assert.IsTrue(channelsLastModel.Parameters().Where(p => p.Dim == 4).All(p => p.IsContiguous(MemoryFormat.ChannelsLast)), "kernels are channels-last");
        Assert.IsTrue(actual.Probabilities.AllClose(expected.Probabilities, 1e-5, 1e-6));
        Assert.IsTrue(actual.ClassIds.Equal(expected.ClassIds));
    }

    [TestMethod]
    public void TheAutomaticLayoutIsChannelsLastForCpuBatchesOfEnoughPixelsAndLeavesTheKernels()
    {
        using var scope = DisposeScope.Enter();
        Assert.AreEqual(MemoryFormat.ChannelsLast, InferenceLayout.For(Tensor.Zeros([2, 3, 128, 128])), "2 x 128 x 128 = 32,768 pixels");
        Assert.AreEqual(MemoryFormat.ChannelsLast, InferenceLayout.For(Tensor.Zeros([8, 1, 64, 64])));
        Assert.AreEqual(MemoryFormat.Contiguous, InferenceLayout.For(Tensor.Zeros([2, 3, 127, 128])), "32,512 pixels");
        Assert.AreEqual(MemoryFormat.Contiguous, InferenceLayout.For(Tensor.Zeros([2, 3, 64, 64])));
        Assert.AreEqual(MemoryFormat.ChannelsLast, InferenceLayout.For(Tensor.Zeros([1, 3, 256, 256])), "a single large image");
        Assert.AreEqual(MemoryFormat.Contiguous, InferenceLayout.For(Tensor.Zeros([1, 3, 181, 181])), "a single image of 32,761 pixels");
        Assert.AreEqual(MemoryFormat.Contiguous, InferenceLayout.For(Tensor.Zeros([3, 8, 8])));

        using var model = Net();
        using var reference = Net();
        using var g = new Generator(6);
        var images = Tensor.Rand([2, 3, 128, 130], g);
        using var automatic = new SegmentationPredictor(model).Predict(images);
        using var contiguous = new SegmentationPredictor(reference, new PredictorOptions { MemoryFormat = MemoryFormat.Contiguous }).Predict(images);
        Assert.IsTrue(model.Parameters().Where(p => p.Dim == 4).All(p => p.IsContiguous(MemoryFormat.Contiguous)), "kernels untouched");
        Assert.IsTrue(automatic.Probabilities.AllClose(contiguous.Probabilities, 1e-5, 1e-6));
        Assert.IsTrue(automatic.ClassIds.Equal(contiguous.ClassIds));
    }

    [TestMethod]
    public void SlidingWindowAndFlipOptionsRun()
    {
        using var scope = DisposeScope.Enter();
        using var model = Net();
        using var g = new Generator(2);
        var images = Tensor.Rand([1, 3, 40, 50], g);
        var predictor = new SegmentationPredictor(model, new PredictorOptions
        {
            SlidingWindow = new SlidingWindowOptions { TileSize = (24, 24), Overlap = 0.5 },
            HorizontalFlip = true,
        });
        using var prediction = predictor.Predict(images);
        CollectionAssert.AreEqual(new long[] { 1, 4, 40, 50 }, prediction.Probabilities.Shape);
        Assert.IsTrue(prediction.Probabilities.Sum(1).AllClose(Tensor.Ones([1, 40, 50]), 1e-5, 1e-5));
    }

    [TestMethod]
    public void ConcurrentCallsGiveTheSequentialResults()
    {
        using var model = Net();
        var predictor = new SegmentationPredictor(model);
        var inputs = new Tensor[8];
        var expected = new long[8][];
        using (var g = new Generator(3))
            for (int i = 0; i < inputs.Length; i++)
            {
                inputs[i] = Tensor.Rand([1, 3, 32, 32], g).DetachFromDisposeScope();
                using var p = predictor.Predict(inputs[i]);
                expected[i] = p.ClassIds.ToArray<long>();
            }
        Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            int i = k % 8;
            using var p = predictor.Predict(inputs[i]);
            CollectionAssert.AreEqual(expected[i], p.ClassIds.ToArray<long>(), $"input {i}");
        });
        foreach (var t in inputs) t.Dispose();
    }

    [TestMethod]
    public void BadInputsAreRejectedClearly()
    {
        using var scope = DisposeScope.Enter();
        using var model = Net();
        var predictor = new SegmentationPredictor(model, new PredictorOptions { Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(Tensor.Zeros([1, 2, 8, 8]))).Message, "2 channels");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(Tensor.Zeros([8, 8]))).Message, "[8, 8]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(Tensor.Zeros([3, 8, 8], DType.UInt8))).Message, "UInt8");
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { Mean = [0f] }));
    }
}
