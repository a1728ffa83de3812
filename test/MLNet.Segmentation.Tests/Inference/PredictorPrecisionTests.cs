using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Inference;

[TestClass]
public sealed class PredictorPrecisionTests
{
    [TestMethod]
    [DataRow("unet")]
    [DataRow("deeplabv3plus-resnet18")]
    [DataRow("fcn-8s")]
    public void BFloat16AutocastOnTheCpuStaysCloseToFloat32AndReturnsFloat32Probabilities(string architecture)
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(12);
        using var model = ModelCatalog.Create(architecture, new ModelBuildSettings(4, 3, 16));
        using var generator = new Generator(12);
        var images = rand([2, 3, 32, 32], generator: generator);
        using var float32 = new SegmentationPredictor(model).Predict(images);
        using var bfloat16 = new SegmentationPredictor(model, new PredictorOptions { AutocastDType = ScalarType.BFloat16 }).Predict(images);

        Assert.AreEqual(ScalarType.Float32, bfloat16.Probabilities.dtype);
        double largest = TensorAssert.MaxAbsDifference(bfloat16.Probabilities, float32.Probabilities);
        Assert.IsTrue(largest > 0, "autocast must change the arithmetic");
        Assert.IsTrue(largest < 0.05, $"{architecture}: bfloat16 probabilities differ from float32 by {largest}");
        Assert.IsTrue(TensorAssert.MaxAbsDifference(bfloat16.Probabilities.sum(dim: 1), ones(2, 32, 32)) < 1e-5);
        Assert.IsFalse(Autocast.IsEnabled(TorchSharp.DeviceType.CPU), "the region ends with the call");
    }

    [TestMethod]
    public void Float16OrANonHalfTypeIsRefusedOnTheCpu()
    {
        using var model = ModelCatalog.Create("unet", new ModelBuildSettings(3, 3, 16));
        foreach (var dtype in new[] { ScalarType.Float16, ScalarType.Float64 })
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { AutocastDType = dtype }));
            StringAssert.Contains(error.Message, $"AutocastDType {dtype} is not supported on cpu");
        }
    }
}
