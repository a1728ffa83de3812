using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Models;

namespace MLNet.Segmentation.Tests.Inference;

[TestClass]
public sealed class PredictorPrecisionTests
{
    [TestMethod]
    public void BFloat16AutocastOnTheCpuStaysCloseToFloat32AndReturnsFloat32Probabilities()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(12);
        using var model = ModelCatalog.Create("unet", new ModelBuildSettings(4, 3, 16, generator));
        var images = Tensor.Rand([2, 3, 32, 32], generator);
        using var float32 = new SegmentationPredictor(model).Predict(images);
        using var bfloat16 = new SegmentationPredictor(model, new PredictorOptions { AutocastDType = DType.BFloat16 }).Predict(images);

        Assert.AreEqual(DType.Float32, bfloat16.Probabilities.DType);
        Assert.IsFalse(bfloat16.Probabilities.Equal(float32.Probabilities), "autocast must change the arithmetic");
        double largest = (bfloat16.Probabilities - float32.Probabilities).Abs().Max().ToDouble();
        Assert.IsTrue(largest < 0.05, $"bfloat16 probabilities differ from float32 by {largest}");
        Assert.IsTrue(bfloat16.Probabilities.Sum(1).AllClose(Tensor.Ones([2, 32, 32]), 1e-5, 1e-5));
    }

    [TestMethod]
    public void Float16OrANonHalfTypeIsRefusedOnTheCpu()
    {
        using var model = ModelCatalog.Create("unet", new ModelBuildSettings(3, 3, 16));
        foreach (var dtype in new[] { DType.Float16, DType.Float64 })
        {
            var error = Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, new PredictorOptions { AutocastDType = dtype }));
            StringAssert.Contains(error.Message, $"AutocastDType {dtype} is not supported on cpu");
        }
    }
}
