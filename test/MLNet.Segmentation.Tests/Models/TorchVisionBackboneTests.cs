using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Models;

/// <summary>
/// TorchSharp's TorchVision ResNets as our DeepLabs' backbones (<see cref="ResNetBackbone.FromTorchVision"/>): the same
/// names as our own ResNet, so weights move between the two, and the same logits.
/// </summary>
[TestClass]
public sealed class TorchVisionBackboneTests
{
    private static TorchSharp.Modules.ResNet TorchVisionResNet(ResNetDepth depth, int outputStride)
    {
        // replace_stride_with_dilation: (layer2, layer3, layer4); output stride 16 dilates layer4, 8 layer3 and layer4.
        (bool, bool, bool)? dilation = outputStride switch { 8 => (false, true, true), 16 => (false, false, true), _ => null };
        return depth switch
        {
            ResNetDepth.ResNet18 => torchvision.models.resnet18(replace_stride_with_dilation: dilation),
            ResNetDepth.ResNet50 => torchvision.models.resnet50(replace_stride_with_dilation: dilation),
            _ => throw new ArgumentOutOfRangeException(nameof(depth)),
        };
    }

    private static SegmentationModel Ours(bool plus, ResNetDepth depth, int outputStride, DeepLabV3PlusOptions options)
    {
        // Our own ResNet at TorchVision's full width; output stride 32 (TorchVision's BasicBlock refuses dilation) through
        // the backbone constructor, since DeepLab's options allow 8 and 16 only.
        var backbone = new ResNetBackbone(new ResNetOptions { Depth = depth, OutputStride = outputStride });
        return plus ? new DeepLabV3Plus(5, backbone, options) : new DeepLabV3(5, backbone, options);
    }

    private static SegmentationModel OnTorchVision(bool plus, ResNetBackbone backbone, DeepLabV3PlusOptions options) =>
        plus ? new DeepLabV3Plus(5, backbone, options) : new DeepLabV3(5, backbone, options);

    [TestMethod]
    [DataRow(false, ResNetDepth.ResNet50, 16, DisplayName = "DeepLab v3 on TorchVision's ResNet-50, output stride 16")]
    [DataRow(false, ResNetDepth.ResNet50, 8, DisplayName = "DeepLab v3 on TorchVision's ResNet-50, output stride 8")]
    [DataRow(true, ResNetDepth.ResNet50, 16, DisplayName = "DeepLab v3+ on TorchVision's ResNet-50, output stride 16")]
    [DataRow(false, ResNetDepth.ResNet18, 32, DisplayName = "DeepLab v3 on TorchVision's ResNet-18, output stride 32")]
    [DataRow(true, ResNetDepth.ResNet18, 32, DisplayName = "DeepLab v3+ on TorchVision's ResNet-18, output stride 32")]
    public void ATorchVisionBackboneHasOurNamesTakesOurWeightsAndGivesOurLogits(bool plus, ResNetDepth depth, int outputStride)
    {
        using var scope = NewDisposeScope();
        var options = new DeepLabV3PlusOptions
        {
            Backbone = depth, OutputStride = outputStride == 8 ? 8 : 16, AsppChannels = 32, LowLevelChannels = 16, DecoderChannels = 32,
        };
        torch.random.manual_seed(80);
        var resnet = TorchVisionResNet(depth, outputStride);
        Assert.IsTrue(resnet.state_dict().ContainsKey("fc.weight"), "TorchVision's ResNet has its classifier");
        var backbone = ResNetBackbone.FromTorchVision(resnet);
        Assert.AreEqual(depth == ResNetDepth.ResNet50 ? 256 : 64, backbone.LowLevelChannels);
        Assert.AreEqual(depth == ResNetDepth.ResNet50 ? 2048 : 512, backbone.OutChannels);
        Assert.IsNull(backbone.Options);
        using var wrapped = OnTorchVision(plus, backbone, options);
        torch.random.manual_seed(81);
        using var ours = Ours(plus, depth, outputStride, options);

        using var wrappedState = wrapped.StateDictOf();
        using var ourState = ours.StateDictOf();
        Assert.IsFalse(wrappedState.Keys.Any(k => k.StartsWith("backbone.fc.", StringComparison.Ordinal) || k.StartsWith("backbone.avgpool", StringComparison.Ordinal)),
            "TorchVision's classifier is left out");
        CollectionAssert.AreEquivalent(ourState.Keys.ToArray(), wrappedState.Keys.ToArray(), "the same names");
        foreach (var (name, tensor) in ourState)
            CollectionAssert.AreEqual(tensor.shape, wrappedState[name].shape, name);

        Assert.IsTrue(wrapped.Load(ourState, strict: true).IsExactMatch, "our weights load strictly");
        // The TorchVision ResNet itself now holds them: the layers are shared, not copied.
        Assert.AreEqual(0, TensorAssert.MaxAbsDifference(resnet.state_dict()["layer1.0.conv1.weight"], ourState["backbone.layer1.0.conv1.weight"]));

        wrapped.eval();
        ours.eval();
        using var generator = new Generator(82);
        var images = randn([1, 3, 48, 40], generator: generator);
        using (no_grad())
        {
            var expected = ours.call(images);
            var actual = wrapped.call(images);
            CollectionAssert.AreEqual(new long[] { 1, 5, 48, 40 }, actual.shape);
            double error = TensorAssert.RelativeError(actual, expected);
            Assert.IsTrue(error < 1e-5, $"logits differ by {error:E2} (relative)");
        }
    }

    [TestMethod]
    public void TrainingThroughATorchVisionBackboneReachesItsLayers()
    {
        using var scope = NewDisposeScope();
        torch.random.manual_seed(83);
        var resnet = torchvision.models.resnet18();
        using var model = new DeepLabV3(3, ResNetBackbone.FromTorchVision(resnet), new DeepLabV3Options { Backbone = ResNetDepth.ResNet18, AsppChannels = 16 });
        using var generator = new Generator(83);
        var loss = nn.functional.cross_entropy(model.call(randn([2, 3, 32, 32], generator: generator)), randint(0, 3, [2, 32, 32], generator: generator));
        loss.backward();
        var conv1 = resnet.named_parameters().Single(p => p.name == "conv1.weight").parameter;
        Assert.IsNotNull(conv1.grad, "the TorchVision stem gets a gradient");
        Assert.IsTrue(conv1.grad.abs().sum().item<float>() > 0);
        Assert.IsNull(resnet.named_parameters().Single(p => p.name == "fc.weight").parameter.grad, "its unused classifier does not");
    }

    [TestMethod]
    public void WhatFromTorchVisionRefuses()
    {
        // TorchVision's BasicBlock does not dilate (as torchvision's): ResNet-18/34 have output stride 32 only.
        Assert.ThrowsExactly<NotImplementedException>(() => torchvision.models.resnet18(replace_stride_with_dilation: (false, false, true)));
        using var notAResNet = nn.Sequential(nn.Conv2d(3, 4, 3));
        var error = Assert.ThrowsExactly<ArgumentException>(() => ResNetBackbone.FromTorchVision(notAResNet));
        StringAssert.Contains(error.Message, "no 'conv1' layer");
        Assert.ThrowsExactly<ArgumentNullException>(() => ResNetBackbone.FromTorchVision(null!));
        Assert.ThrowsExactly<ArgumentNullException>(() => new DeepLabV3(2, (ResNetBackbone)null!));
    }
}
