using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Models;

[TestClass]
public sealed class AnySizeTests
{
    public static IEnumerable<object[]> Architectures => ModelCatalog.Entries.Select(e => new object[] { e.Name });

    private static nn.Module<Tensor, Tensor> Create(string name, long classes, long seed)
    {
        torch.random.manual_seed(seed);
        return ModelCatalog.Create(name, new ModelBuildSettings(classes, 3, 16));
    }

    [TestMethod]
    [DynamicData(nameof(Architectures))]
    public void EveryArchitectureReturnsLogitsAtTheInputResolution(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Create(name, 4, 11);
        model.eval();
        bool autoencoder = model is ConvAutoencoder;
        using var generator = new Generator(11);
        using (no_grad())
        {
            foreach (var (h, w) in new (long, long)[] { (37, 45), (13, 17), (64, 64) })
            {
                var y = model.call(randn([1, 3, h, w], generator: generator));
                CollectionAssert.AreEqual(new long[] { 1, autoencoder ? 3 : 4, h, w }, y.shape, $"{name} at {h}x{w}");
                Assert.IsFalse(y.isnan().any().item<bool>(), $"{name} produced NaN");
            }
        }
    }

    /// <summary>
    /// The whole network in float32 against itself in float64 (libtorch's own kernels, no oneDNN): at 1/16 of the
    /// papers' widths channel counts such as DeepLab v3+'s 16 + 3 fused channels fall off oneDNN's blocks.
    /// </summary>
    [TestMethod]
    [DynamicData(nameof(Architectures))]
    public void EveryArchitectureMatchesItsFloat64SelfInValueAndInputGradient(string name)
    {
        using var scope = NewDisposeScope();
        using var model = Create(name, 3, 12);
        model.eval();
        using var generator = new Generator(12);
        var x = randn([2, 3, 37, 45], generator: generator).requires_grad_();
        var y = model.call(x);
        var upstream = rand(y.shape, generator: generator);
        (y * upstream).sum().backward();

        model.to(ScalarType.Float64);
        var x64 = x.detach().to_type(ScalarType.Float64).requires_grad_();
        var y64 = model.call(x64);
        (y64 * upstream.to_type(ScalarType.Float64)).sum().backward();
        double output = TensorAssert.RelativeError(y, y64), gradient = TensorAssert.RelativeError(x.grad!, x64.grad!);
        Assert.IsTrue(output < 1e-4, $"{name}: output differs from float64 by {output:E2}");
        Assert.IsTrue(gradient < 1e-3, $"{name}: input gradient differs from float64 by {gradient:E2}");
    }

    [TestMethod]
    public void TrainingStepOnABatchProducesGradientsEverywhere()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(12);
        foreach (string name in new[] { "unet", "deeplabv3plus-resnet18", "fcn-8s", "segnet" })
        {
            using var model = (SegmentationModel)Create(name, 3, 12);
            var x = randn([2, 3, 33, 41], generator: generator);
            var target = randint(0, 3, [2, 33, 41], generator: generator);
            nn.functional.cross_entropy(model.call(x), target).backward();
            var missing = model.named_parameters().Where(p => p.parameter.grad is null).Select(p => p.name).ToList();
            Assert.AreEqual(0, missing.Count, $"{name}: no gradient for {string.Join(", ", missing)}");
            var predicted = model.Predict(x);
            Assert.AreEqual(ScalarType.Int64, predicted.dtype);
            Assert.IsFalse(predicted.requires_grad, "Predict records no gradients");
            CollectionAssert.AreEqual(new long[] { 2, 33, 41 }, predicted.shape);
            Assert.IsTrue(predicted.min().item<long>() >= 0 && predicted.max().item<long>() < 3);
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
        using var scope = NewDisposeScope();
        using var model = new UNet(2, new UNetOptions { Depth = 2, BaseWidth = 4 });
        var error = Assert.ThrowsExactly<ArgumentException>(() => model.call(zeros(1, 1, 16, 16)));
        StringAssert.Contains(error.Message, "N x 3 x H x W");
        StringAssert.Contains(error.Message, "[1, 1, 16, 16]");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ModelCatalog.Create("vit", new ModelBuildSettings(2))).Message, "unknown architecture 'vit'");
    }

    [TestMethod]
    public void CatalogNamesAreUniqueAndCaseInsensitive()
    {
        var names = ModelCatalog.Entries.Select(e => e.Name).ToList();
        Assert.AreEqual(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.IsTrue(names.Count >= 15, $"{names.Count} architectures");
        using var model = ModelCatalog.Create("UNET", new ModelBuildSettings(2, 1, 16));
        Assert.IsInstanceOfType<UNet>(model);
        Assert.AreEqual(1, ((UNet)model).InChannels);
    }
}
