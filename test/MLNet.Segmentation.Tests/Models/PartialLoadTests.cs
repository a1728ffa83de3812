using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Models;

[TestClass]
public sealed class PartialLoadTests
{
    [TestMethod]
    public void ClassificationCheckpointLoadsIntoTheBackboneOnly()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(31);
        var options = new DeepLabV3Options { Backbone = ResNetDepth.ResNet18, BackboneWidth = 4, AsppChannels = 8 };
        using var pretrained = new ResNetBackbone(new ResNetOptions { Depth = options.Backbone, Width = options.BackboneWidth, OutputStride = options.OutputStride });
        using var checkpoint = pretrained.StateDictOf(copy: true);
        // A torchvision classification checkpoint also has the "fc" classifier.
        checkpoint.Add("fc.weight", zeros(1000, 32));
        checkpoint.Add("fc.bias", zeros(1000));

        using var model = new DeepLabV3(3, options);
        var report = model.Backbone.Load(checkpoint, strict: false);
        CollectionAssert.AreEqual(new[] { "fc.weight", "fc.bias" }, report.Unexpected.ToArray());
        Assert.AreEqual(0, report.Missing.Count);
        Assert.IsTrue(pretrained.parameters().Zip(model.Backbone.parameters()).All(p => TensorAssert.MaxAbsDifference(p.First, p.Second) == 0));
        Assert.IsTrue(pretrained.buffers().Zip(model.Backbone.buffers()).All(p => TensorAssert.MaxAbsDifference(p.First, p.Second) == 0), "running statistics too");

        using var prefixed = checkpoint.WithPrefix("backbone.");
        var whole = model.Load(prefixed, strict: false);
        Assert.IsTrue(whole.Missing.Count > 0 && whole.Missing.All(n => n.StartsWith("classifier.", StringComparison.Ordinal)));
        CollectionAssert.AreEqual(new[] { "backbone.fc.weight", "backbone.fc.bias" }, whole.Unexpected.ToArray());
        Assert.ThrowsExactly<StateDictMismatchException>(() => model.Load(prefixed));
    }

    [TestMethod]
    public void AFrozenBackboneKeepsItsWeightsThroughAnOptimizerStep()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(32);
        using var model = new DeepLabV3Plus(2, new DeepLabV3PlusOptions
        {
            Backbone = ResNetDepth.ResNet18, BackboneWidth = 4, AsppChannels = 8, LowLevelChannels = 4, DecoderChannels = 8,
        });
        model.Backbone.SetRequiresGrad(false);
        Assert.AreEqual(model.ParameterCount() - model.Backbone.ParameterCount(), model.TrainableParameterCount());
        using var before = model.StateDictOf(copy: true);
        using var optimizer = optim.SGD(model.parameters().Where(p => p.requires_grad), 0.1);
        using var generator = new Generator(32);
        model.eval(); // fixed BatchNorm statistics: only the optimizer may change weights
        nn.functional.cross_entropy(model.call(randn([1, 3, 32, 32], generator: generator)), zeros([1, 32, 32], ScalarType.Int64)).backward();
        optimizer.step();
        using var after = model.StateDictOf();
        foreach (var (name, value) in after)
        {
            bool same = TensorAssert.MaxAbsDifference(value, before[name]) == 0;
            if (name.StartsWith("backbone.", StringComparison.Ordinal)) Assert.IsTrue(same, $"{name} is frozen");
        }
        Assert.IsTrue(after.Where(kv => kv.Key.StartsWith("classifier.", StringComparison.Ordinal)).Any(kv => TensorAssert.MaxAbsDifference(kv.Value, before[kv.Key]) > 0),
            "the head was trained");
    }
}
