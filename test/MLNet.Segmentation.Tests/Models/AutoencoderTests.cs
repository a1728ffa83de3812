using MLNet.Segmentation.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Models;

[TestClass]
public sealed class AutoencoderTests
{
    [TestMethod]
    public void PretrainedEncoderInitializesAUNet()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(21);
        var options = new ConvAutoencoderOptions { Depth = 2, BaseWidth = 4 };
        using var autoencoder = new ConvAutoencoder(options);
        using var generator = new Generator(21);
        var x = rand([2, 3, 20, 24], generator: generator);
        CollectionAssert.AreEqual(x.shape, autoencoder.call(x).shape);
        var loss = autoencoder.ReconstructionLoss(x);
        Assert.AreEqual(0, loss.dim());
        loss.backward();
        Assert.IsTrue(autoencoder.parameters().All(p => p.grad is not null));

        using var unet = new UNet(3, options.MatchingUNet);
        var report = autoencoder.InitializeEncoder(unet);
        Assert.IsTrue(report.IsExactMatch);
        var pairs = autoencoder.Encoder.named_parameters().Zip(unet.Encoder.named_parameters());
        Assert.IsTrue(pairs.All(p => p.First.name == p.Second.name && TensorAssert.MaxAbsDifference(p.First.parameter, p.Second.parameter) == 0));

        using var other = new UNet(3, options.MatchingUNet with { BaseWidth = 8 });
        Assert.ThrowsExactly<MLNet.Segmentation.Nn.StateDictMismatchException>(() => autoencoder.InitializeEncoder(other));
    }

    [TestMethod]
    public void DenoisingCorruptsOnlyInTraining()
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(22);
        using var dae = new DenoisingAutoencoder(new ConvAutoencoderOptions { Depth = 1, BaseWidth = 4, BatchNorm = false }, 0.5, generator);
        var x = rand([1, 3, 9, 11], generator: generator);
        var noisy = dae.Corrupt(x);
        double std = (noisy - x).pow(2).mean().sqrt().item<float>();
        Assert.AreEqual(0.5, std, 0.15);
        Assert.IsTrue(TensorAssert.MaxAbsDifference(dae.call(x), dae.call(x)) > 0, "training mode corrupts with fresh noise");
        dae.eval();
        Assert.AreEqual(0, TensorAssert.MaxAbsDifference(dae.call(x), dae.call(x)), "eval mode is deterministic");
        CollectionAssert.AreEqual(x.shape, dae.call(x).shape);
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new DenoisingAutoencoder(null, -1));
    }

    [TestMethod]
    public void SeededGeneratorsGiveTheSameNoise()
    {
        using var scope = NewDisposeScope();
        using var a = new Generator(5);
        using var b = new Generator(5);
        var options = new ConvAutoencoderOptions { Depth = 1, BaseWidth = 2 };
        using var first = new DenoisingAutoencoder(options, 0.3, a);
        using var second = new DenoisingAutoencoder(options, 0.3, b);
        var x = zeros(1, 3, 4, 4);
        Assert.AreEqual(0, TensorAssert.MaxAbsDifference(first.Corrupt(x), second.Corrupt(x)));
    }
}
