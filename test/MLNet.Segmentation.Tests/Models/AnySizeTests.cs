using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Tests.Models;

[TestClass]
public sealed class AnySizeTests
{
    public static IEnumerable<object[]> Architectures => ModelCatalog.Entries.Select(e => new object[] { e.Name });

    [TestMethod]
    [DynamicData(nameof(Architectures))]
    public void EveryArchitectureReturnsLogitsAtTheInputResolution(string name)
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(11);
        using var model = ModelCatalog.Create(name, new ModelBuildSettings(4, 3, 16, generator));
        model.Eval();
        bool autoencoder = model is ConvAutoencoder;
        using (Autograd.NoGrad())
        {
            foreach (var (h, w) in new (long, long)[] { (37, 45), (13, 17) })
            {
                var y = model.Forward(Tensor.Randn([1, 3, h, w], generator));
                CollectionAssert.AreEqual(new long[] { 1, autoencoder ? 3 : 4, h, w }, y.Shape, $"{name} at {h}x{w}");
                Assert.IsFalse(y.IsNaN().Any().ToInt64() != 0, $"{name} produced NaN");
            }
        }
    }

    [TestMethod]
    public void TrainingStepOnABatchProducesGradientsEverywhere()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(12);
        foreach (string name in new[] { "unet", "deeplabv3plus-resnet18", "fcn-8s", "segnet" })
        {
            using var model = (SegmentationModel)ModelCatalog.Create(name, new ModelBuildSettings(3, 3, 16, generator));
            var x = Tensor.Randn([2, 3, 33, 41], generator);
            var target = Tensor.RandInt(0, 3, [2, 33, 41], generator);
            Functional.CrossEntropy(model.Forward(x), target).Backward();
            var missing = model.NamedParameters().Where(p => p.Tensor.Grad is null).Select(p => p.Name).ToList();
            Assert.AreEqual(0, missing.Count, $"{name}: no gradient for {string.Join(", ", missing)}");
            var predicted = model.Predict(x);
            Assert.AreEqual(DType.Int64, predicted.DType);
            CollectionAssert.AreEqual(new long[] { 2, 33, 41 }, predicted.Shape);
        }
    }

    [TestMethod]
    public void ValidUNetSizesFollowThePaper()
    {
        Assert.AreEqual(388, UNet.ValidOutputSize(572, 4));
        Assert.AreEqual(-1, UNet.ValidOutputSize(573, 4));
        Assert.AreEqual(572, UNet.ValidInputSize(388, 4));
        long input = UNet.ValidInputSize(361, 4);
        Assert.IsTrue(UNet.ValidOutputSize(input, 4) >= 361);
        Assert.IsTrue(UNet.ValidOutputSize(input - 1, 4) < 361);
    }

    [TestMethod]
    public void WrongChannelCountIsRejected()
    {
        using var scope = DisposeScope.Enter();
        using var model = new UNet(2, new UNetOptions { Depth = 2, BaseWidth = 4 });
        var error = Assert.ThrowsExactly<ArgumentException>(() => model.Forward(Tensor.Zeros([1, 1, 16, 16])));
        StringAssert.Contains(error.Message, "N x 3 x H x W");
    }
}
