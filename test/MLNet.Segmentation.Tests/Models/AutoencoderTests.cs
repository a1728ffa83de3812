using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;

namespace MLNet.Segmentation.Tests.Models;

[TestClass]
public sealed class AutoencoderTests
{
    [TestMethod]
    public void PretrainedEncoderInitializesAUNet()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(21);
        var options = new ConvAutoencoderOptions { Depth = 2, BaseWidth = 4 };
        using var autoencoder = new ConvAutoencoder(options, generator);
        var x = Tensor.Rand([2, 3, 20, 24], generator);
        var loss = autoencoder.ReconstructionLoss(x);
        loss.Backward();
        Assert.IsTrue(autoencoder.Parameters().All(p => p.Grad is not null));

        using var unet = new UNet(3, options.MatchingUNet, generator);
        var report = autoencoder.InitializeEncoder(unet);
        Assert.IsTrue(report.IsExactMatch);
        var pairs = autoencoder.Encoder.NamedParameters().Zip(unet.Encoder.NamedParameters());
        Assert.IsTrue(pairs.All(p => p.First.Name == p.Second.Name && p.First.Tensor.Equal(p.Second.Tensor)));
    }

    [TestMethod]
    public void DenoisingCorruptsOnlyInTraining()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(22);
        using var dae = new DenoisingAutoencoder(new ConvAutoencoderOptions { Depth = 1, BaseWidth = 4, BatchNorm = false }, 0.5, generator);
        var x = Tensor.Rand([1, 3, 9, 11], generator);
        var noisy = dae.Corrupt(x);
        double std = (noisy - x).Pow(2).Mean().Sqrt().ToDouble();
        Assert.AreEqual(0.5, std, 0.15);
        Assert.IsFalse(dae.Forward(x).Equal(dae.Forward(x)), "training mode corrupts with fresh noise");
        dae.Eval();
        Assert.IsTrue(dae.Forward(x).Equal(dae.Forward(x)), "eval mode is deterministic");
        CollectionAssert.AreEqual(x.Shape, dae.Forward(x).Shape);
    }
}
