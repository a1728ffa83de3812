using System.Text.Json;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Models;

/// <summary>Full-width backbones have exactly torchvision's state-dict names, order and shapes (recorded by the parity script).</summary>
[TestClass]
public sealed class TorchvisionNameTests
{
    private static List<(string Name, long[] Shape)> Expected(string model)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(ParityTests.FixturePath("torchvision_names.json")));
        return document.RootElement.GetProperty(model).EnumerateArray()
            .Select(e => (e[0].GetString()!, e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray())).ToList();
    }

    private static void AssertSameNames(string model, nn.Module module)
    {
        using var state = module.StateDictOf();
        var expected = Expected(model);
        CollectionAssert.AreEqual(expected.Select(e => e.Name).ToArray(), state.Keys.ToArray(), model);
        foreach (var (name, shape) in expected)
            CollectionAssert.AreEqual(shape, state[name].shape, $"{model}: {name}");
    }

    [TestMethod]
    public void Vgg16BnFeatures()
    {
        using var vgg = new Vgg16Backbone(batchNorm: true);
        AssertSameNames("vgg16_bn", vgg);
    }

    [TestMethod]
    [DataRow(ResNetDepth.ResNet18, "resnet18")]
    [DataRow(ResNetDepth.ResNet34, "resnet34")]
    [DataRow(ResNetDepth.ResNet50, "resnet50")]
    public void ResNets(ResNetDepth depth, string torchvisionName)
    {
        using var resnet = new ResNetBackbone(new ResNetOptions { Depth = depth });
        AssertSameNames(torchvisionName, resnet);
    }

    [TestMethod]
    public void DeepLabV3ResNet50()
    {
        using var model = new DeepLabV3(21, new DeepLabV3Options { OutputStride = 8 });
        AssertSameNames("deeplabv3_resnet50", model);
    }
}
