using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Inference;

[TestClass]
public sealed class SegmentationPredictorTests
{
    private static Sequential Net(bool batchNorm = false)
    {
        torch.random.manual_seed(4);
        return batchNorm
            ? nn.Sequential(Layers.Conv2d(3, 6, 3, padding: 1), nn.BatchNorm2d(6), nn.ReLU(), Layers.Conv2d(6, 4, 1))
            : nn.Sequential(Layers.Conv2d(3, 6, 3, padding: 1), nn.ReLU(), Layers.Conv2d(6, 4, 1));
    }

    [TestMethod]
    public void ProbabilitiesAreNormalizedSoftmaxAndClassIdsTheirArgmax()
    {
        using var scope = NewDisposeScope();
        using var model = Net();
        using var g = new Generator(1);
        var images = rand([2, 3, 17, 23], generator: g);
        var predictor = new SegmentationPredictor(model, new PredictorOptions { Mean = [0.5f, 0.5f, 0.5f], Std = [0.25f, 0.25f, 0.25f] });
        using var prediction = predictor.Predict(images);

        CollectionAssert.AreEqual(new long[] { 2, 4, 17, 23 }, prediction.Probabilities.shape);
        CollectionAssert.AreEqual(new long[] { 2, 17, 23 }, prediction.ClassIds.shape);
        Assert.AreEqual(ScalarType.Int64, prediction.ClassIds.dtype);
        Assert.IsFalse(prediction.Probabilities.requires_grad);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(prediction.Probabilities.sum(dim: 1), ones(2, 17, 23)) < 1e-5);
        using (no_grad())
        {
            var expected = nn.functional.softmax(model.call((images - 0.5) / 0.25), 1);
            Assert.IsTrue(TensorAssert.MaxAbsDifference(prediction.Probabilities, expected) < 1e-5);
        }
        CollectionAssert.AreEqual(TensorData.ToArray<long>(prediction.Probabilities.argmax(1)), TensorData.ToArray<long>(prediction.ClassIds));
        using var single = predictor.Predict(images.select(0, 1));
        CollectionAssert.AreEqual(new long[] { 1, 17, 23 }, single.ClassIds.shape, "one C x H x W image is a batch of one");
        CollectionAssert.AreEqual(TensorData.ToArray<long>(prediction.ClassIds.select(0, 1)), TensorData.ToArray<long>(single.ClassIds.select(0, 0)));
    }

    [TestMethod]
    public void ThePredictorPutsTheModelInEvalModeAndNeverChangesIt()
    {
        using var scope = NewDisposeScope();
        using var model = Net(batchNorm: true);
        Assert.IsTrue(model.training);
        var predictor = new SegmentationPredictor(model);
        Assert.IsFalse(model.training, "eval mode from construction");
        Assert.AreEqual(DeviceType.CPU, predictor.Device.type, "the model's device");
        using var before = model.StateDictOf(copy: true);
        using var g = new Generator(2);
        using (predictor.Predict(rand([2, 3, 9, 9], generator: g))) { }
        using var after = model.StateDictOf();
        foreach (var (name, value) in before)
            Assert.AreEqual(0, TensorAssert.MaxAbsDifference(after[name], value), $"{name} unchanged (BatchNorm statistics included)");
        Assert.IsTrue(model.parameters().All(p => p.grad is null), "no gradients recorded");
    }

    [TestMethod]
    public void SlidingWindowAndFlipOptionsRun()
    {
        using var scope = NewDisposeScope();
        using var model = Net();
        using var g = new Generator(2);
        var images = rand([1, 3, 40, 50], generator: g);
        var predictor = new SegmentationPredictor(model, new PredictorOptions
        {
            SlidingWindow = new SlidingWindowOptions { TileSize = (24, 24), Overlap = 0.5 },
            HorizontalFlip = true,
        });
        using var prediction = predictor.Predict(images);
        CollectionAssert.AreEqual(new long[] { 1, 4, 40, 50 }, prediction.Probabilities.shape);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(prediction.Probabilities.sum(dim: 1), ones(1, 40, 50)) < 1e-5);

        // Flip augmentation averages the probabilities of the image and of its mirror (mirrored back).
        using var plain = new SegmentationPredictor(model).Predict(images);
        using var mirrored = new SegmentationPredictor(model).Predict(images.flip(3));
        using var augmented = new SegmentationPredictor(model, new PredictorOptions { HorizontalFlip = true }).Predict(images);
        var expected = (plain.Probabilities + mirrored.Probabilities.flip(3)) * 0.5;
        Assert.IsTrue(TensorAssert.MaxAbsDifference(augmented.Probabilities, expected) < 1e-6);
    }

    [TestMethod]
    public void ConcurrentCallsGiveTheSequentialResults()
    {
        using var model = Net();
        foreach (var options in new[] { new PredictorOptions(), new PredictorOptions { AutocastDType = ScalarType.BFloat16, HorizontalFlip = true } })
        {
            var predictor = new SegmentationPredictor(model, options);
            var inputs = new Tensor[8];
            var expected = new long[8][];
            using (var g = new Generator(3))
                for (int i = 0; i < inputs.Length; i++)
                {
                    inputs[i] = rand([1, 3, 32, 32], generator: g).DetachFromDisposeScope();
                    using var p = predictor.Predict(inputs[i]);
                    expected[i] = TensorData.ToArray<long>(p.ClassIds);
                }
            Parallel.For(0, 32, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
            {
                int i = k % 8;
                using var p = predictor.Predict(inputs[i]);
                CollectionAssert.AreEqual(expected[i], TensorData.ToArray<long>(p.ClassIds), $"input {i}");
            });
            foreach (var t in inputs) t.Dispose();
        }
    }

    [TestMethod]
    public void BadInputsAreRejectedClearly()
    {
        using var scope = NewDisposeScope();
        using var model = Net();
        var predictor = new SegmentationPredictor(model, new PredictorOptions { Mean = [0f, 0f, 0f], Std = [1f, 1f, 1f] });
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(zeros(1, 2, 8, 8))).Message, "2 channels");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(zeros(8, 8))).Message, "[8, 8]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => predictor.Predict(zeros([3, 8, 8], ScalarType.Byte))).Message, "Byte");
        Assert.ThrowsExactly<ArgumentNullException>(() => predictor.Predict(null!));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { Mean = [0f] }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { Mean = [0f], Std = [1f, 1f] }));
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { Mean = [0f], Std = [0f] }));
        Assert.ThrowsExactly<ArgumentNullException>(() => new SegmentationPredictor(null!));
    }
}
