using System.Text.Json;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Hostile;

[TestClass]
public sealed class ArchitectureShapesTests
{
    private static IEnumerable<(string Key, int Classes, object Options)> Configurations()
    {
        foreach (var padding in new[] { UNetPadding.Same, UNetPadding.Valid })
            foreach (var up in new[] { UNetUpsampling.TransposedConv, UNetUpsampling.Bilinear })
                foreach (bool bn in new[] { true, false })
                    yield return ("unet", 3, new UNetOptions { BaseWidth = 4, Depth = bn ? 2 : 1, Padding = padding, Upsampling = up, BatchNorm = bn, InChannels = bn ? 3 : 1 });
        foreach (var variant in new[] { FcnVariant.Fcn32s, FcnVariant.Fcn16s, FcnVariant.Fcn8s })
            foreach (bool bn in new[] { true, false })
                yield return ("fcn", 5, new FcnOptions { Variant = variant, WidthDivisor = 16, FullyConvolutionalWidth = 24, BackboneBatchNorm = bn });
        foreach (bool bn in new[] { true, false })
        {
            yield return ("segnet", 4, new SegNetOptions { WidthDivisor = 32, BatchNorm = bn, InChannels = 2 });
            yield return ("deconvnet", 4, new DeconvNetOptions { WidthDivisor = 32, FullyConvolutionalWidth = 16, BatchNorm = bn });
        }
        foreach (var depth in new[] { ResNetDepth.ResNet18, ResNetDepth.ResNet34, ResNetDepth.ResNet50 })
        {
            yield return ("deeplabv3", 3, new DeepLabV3Options { Backbone = depth, BackboneWidth = 4, AsppChannels = 8, OutputStride = 8 });
            yield return ("deeplabv3", 3, new DeepLabV3Options { Backbone = depth, BackboneWidth = 4, AsppChannels = 8, AsppRates = [2], ImagePooling = false });
            yield return ("deeplabv3plus", 2, new DeepLabV3PlusOptions { Backbone = depth, BackboneWidth = 4, AsppChannels = 8, LowLevelChannels = 4, DecoderChannels = 8 });
        }
        yield return ("deeplabv3plus", 2, new DeepLabV3PlusOptions { Backbone = ResNetDepth.ResNet18, BackboneWidth = 2, AsppChannels = 4, AsppRates = [], ImagePooling = false, LowLevelChannels = 2, DecoderChannels = 4 });
    }

    [TestMethod]
    public void ExpectedStateDictEqualsTheBuiltNetworkForEveryArchitectureAndVariant()
    {
        int checkedCount = 0;
        foreach (var (key, classes, options) in Configurations())
        {
            var json = JsonSerializer.SerializeToElement(options, options.GetType(), ArchitectureRegistry.JsonOptions);
            var (_, expected) = ArchitectureRegistry.Plan(key, classes, null, json);
            using var model = ArchitectureRegistry.Create(key, classes, json);
            var actual = model.state_dict();
            string label = $"{key} {json.GetRawText()}";
            CollectionAssert.AreEquivalent(actual.Keys.ToArray(), expected.Tensors.Keys.ToArray(), label);
            foreach (var (name, tensor) in actual)
            {
                CollectionAssert.AreEqual(tensor.shape, expected.Tensors[name].Shape, $"{label}: {name}");
                Assert.AreEqual(tensor.is_floating_point(), expected.Tensors[name].IsFloatingPoint, $"{label}: {name}");
            }
            Assert.AreEqual(actual.Values.Sum(t => t.numel()), expected.ElementCount, label);
            checkedCount++;
        }
        Assert.AreEqual(28, checkedCount);
    }

    // The papers' (and the catalog's) full-width configurations, with 256 classes: all within the limits, planned without building.
    private static IEnumerable<(string Key, object Options)> FullWidth()
    {
        foreach (var up in new[] { UNetUpsampling.TransposedConv, UNetUpsampling.Bilinear })
            yield return ("unet", new UNetOptions { Upsampling = up });
        yield return ("unet", new UNetOptions { Padding = UNetPadding.Valid });
        foreach (var variant in new[] { FcnVariant.Fcn32s, FcnVariant.Fcn16s, FcnVariant.Fcn8s })
            yield return ("fcn", new FcnOptions { Variant = variant, BackboneBatchNorm = true });
        yield return ("segnet", new SegNetOptions());
        yield return ("deconvnet", new DeconvNetOptions());
        foreach (var depth in new[] { ResNetDepth.ResNet18, ResNetDepth.ResNet34, ResNetDepth.ResNet50 })
        {
            yield return ("deeplabv3", new DeepLabV3Options { Backbone = depth, OutputStride = 8 });
            yield return ("deeplabv3plus", new DeepLabV3PlusOptions { Backbone = depth });
        }
    }

    [TestMethod]
    public void EveryFullWidthConfigurationIsWithinTheLimits()
    {
        long largest = 0;
        foreach (var (key, options) in FullWidth())
        {
            var json = JsonSerializer.SerializeToElement(options, options.GetType(), ArchitectureRegistry.JsonOptions);
            var (_, expected) = ArchitectureRegistry.Plan(key, ModelManifest.MaxClasses, 3, json);
            largest = Math.Max(largest, expected.ElementCount);
        }
        // FCN-32s with 256 classes: VGG-16, conv6/conv7 and a 256 x 256 x 64 x 64 upsampling kernel.
        Assert.IsTrue(largest > 400_000_000 && largest <= ArchitectureLimits.MaxStateElements, $"largest {largest}");
        var deconv = ArchitectureShapes.DeconvNet(21, new DeconvNetOptions());
        Assert.IsTrue(deconv.ElementCount is > 250_000_000 and < 254_000_000, $"DeconvNet {deconv.ElementCount}");
    }

    [TestMethod]
    public void OptionsOutOfBoundsAreNamedBeforeAnythingIsBuilt()
    {
        (string Key, string Json, string Expected)[] cases =
        [
            ("unet", """{"BaseWidth": 20000}""", "options.BaseWidth 20000 is outside 2..1024"),
            ("unet", """{"BaseWidth": 7}""", "options.BaseWidth 7 must be even"),
            ("unet", """{"Depth": 0}""", "options.Depth 0 is outside 1..8"),
            ("unet", """{"Padding": 7}""", "options.Padding 7 must be one of Same, Valid"),
            ("unet", """{"InChannels": 0}""", "options.InChannels 0 is outside 1..64"),
            ("unet", """{"BaseWidth": 1024, "Depth": 8}""", "more than the limit of 536870912"),
            ("fcn", """{"WidthDivisor": 3}""", "options.WidthDivisor 3 must divide 64"),
            ("fcn", """{"FullyConvolutionalWidth": 100000}""", "options.FullyConvolutionalWidth 100000 is outside 1..8192"),
            ("fcn", """{"Dropout": 1.5}""", "options.Dropout 1.5 must be in [0, 1)"),
            ("deconvnet", """{"FullyConvolutionalWidth": -1}""", "options.FullyConvolutionalWidth -1 is outside"),
            ("deeplabv3", """{"Backbone": 101}""", "options.Backbone 101 must be ResNet18, ResNet34 or ResNet50"),
            ("deeplabv3", """{"OutputStride": 32}""", "options.OutputStride 32 must be 8 or 16"),
            ("deeplabv3", """{"AsppRates": [6, 100000]}""", "options.AsppRates 100000 is outside 1..256"),
            ("deeplabv3plus", """{"DecoderChannels": 0}""", "options.DecoderChannels 0 is outside 1..2048"),
            ("unet", """{"BaseWidth": "wide"}""", "the options of architecture 'unet' are invalid"),
            ("unet", """[1, 2]""", "the options of architecture 'unet' are invalid"),
        ];
        long before = LiveTensors.Settled();
        foreach (var (key, json, expected) in cases)
        {
            using var document = JsonDocument.Parse(json);
            var error = Assert.ThrowsExactly<InvalidDataException>(() => ArchitectureRegistry.Plan(key, 2, null, document.RootElement.Clone()), json);
            StringAssert.Contains(error.Message, expected, json);
            Assert.IsFalse(error.Message.Contains('\n'), json);
        }
        Assert.AreEqual(before, Tensor.TotalCount, "nothing was allocated");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ArchitectureRegistry.Plan("unet", 257, null, default)).Message, "num_classes 257 is outside 1..256");
        StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ArchitectureRegistry.Plan("unet", 2, 1, JsonDocument.Parse("{}").RootElement)).Message,
            "options.InChannels 3 disagrees with in_channels 1");
    }
}
