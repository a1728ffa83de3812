using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;

namespace MLNet.Segmentation.Tests.Models;

[TestClass]
public sealed class PartialLoadTests
{
    [TestMethod]
    public void ClassificationCheckpointLoadsIntoTheBackboneOnly()
    {
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(31);
        var options = new DeepLabV3Options { Backbone = ResNetDepth.ResNet18, BackboneWidth = 4, AsppChannels = 8 };
        using var pretrained = new ResNetBackbone(options.ResNetForTests(), generator);
        using var checkpoint = pretrained.StateDict();
        // A torchvision classification checkpoint also has the "fc" classifier.
        checkpoint.Add("fc.weight", Tensor.Zeros([1000, 32]));
        checkpoint.Add("fc.bias", Tensor.Zeros([1000]));

        using var model = new DeepLabV3(3, options, generator);
        var report = model.Backbone.LoadStateDict(checkpoint, strict: false);
        CollectionAssert.AreEqual(new[] { "fc.weight", "fc.bias" }, report.Unexpected.ToArray());
        Assert.AreEqual(0, report.Missing.Count);
        Assert.IsTrue(pretrained.Parameters().Zip(model.Backbone.Parameters()).All(p => p.First.Equal(p.Second)));

        using var prefixed = checkpoint.WithPrefix("backbone.");
        var whole = model.LoadStateDict(prefixed, strict: false);
        Assert.IsTrue(whole.Missing.All(n => n.StartsWith("classifier.", StringComparison.Ordinal)) && whole.Missing.Count > 0);
        Assert.ThrowsExactly<MLNet.Segmentation.Nn.StateDictMismatchException>(() => model.LoadStateDict(prefixed));
    }
}

internal static class DeepLabOptionsTestExtensions
{
    internal static ResNetOptions ResNetForTests(this DeepLabV3Options options) => new()
    {
        Depth = options.Backbone, Width = options.BackboneWidth, OutputStride = options.OutputStride,
    };
}
