using MLNet.Segmentation.Models.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// ResNet backbones (<see cref="ResNetBackbone"/>, also over torchvision-layout layers) and their residual blocks:
/// relu(bn1(conv1(x))), [relu(bn2(conv2(.))) then] bn_last(conv_last(.)), plus the identity or the "downsample"
/// projection, then relu — as <see cref="BasicBlock"/> and <see cref="Bottleneck"/> compute them.
/// </summary>
internal static class ResNetOnnx
{
    /// <summary>True for our blocks and for any module laid out as a torchvision residual block (conv1, bn1, conv2, bn2).</summary>
    public static bool IsResidualBlock(nn.Module module)
    {
        if (module is BasicBlock or Bottleneck) return true;
        if (module is Sequential or ResNetBackbone) return false;
        return new[] { "conv1", "bn1", "conv2", "bn2" }.All(n => OnnxModules.Find(module, n) is not null);
    }

    /// <summary>One residual block.</summary>
    public static OnnxTensor Block(OnnxGraphBuilder g, OnnxTensor x, nn.Module block, string name)
    {
        bool bottleneck = OnnxModules.Find(block, "conv3") is not null;
        var y = g.Relu(ConvBatchNorm(g, x, block, "conv1", "bn1", name));
        y = ConvBatchNorm(g, y, block, "conv2", "bn2", name);
        if (bottleneck) y = ConvBatchNorm(g, g.Relu(y), block, "conv3", "bn3", name);
        var identity = OnnxModules.Find(block, "downsample") is { } downsample
            ? OnnxModuleEmitter.Module(g, x, downsample, OnnxModuleEmitter.Join(name, "downsample"))
            : x;
        return g.Relu(g.Elementwise("Add", y, identity.Name));
    }

    /// <summary>A convolution child followed by a BatchNorm2d child, folded when the builder says so.</summary>
    public static OnnxTensor ConvBatchNorm(OnnxGraphBuilder g, OnnxTensor x, nn.Module owner, string conv, string bn, string name)
    {
        var convolution = OnnxModules.Child<Convolution>(owner, conv);
        var batchNorm = OnnxModules.Child<BatchNorm>(owner, bn);
        if (g.FoldBatchNorm) return OnnxModuleEmitter.Convolution(g, x, convolution, batchNorm, OnnxModuleEmitter.Join(name, conv));
        var y = OnnxModuleEmitter.Convolution(g, x, convolution, null, OnnxModuleEmitter.Join(name, conv));
        return OnnxModuleEmitter.BatchNorm(g, y, batchNorm, OnnxModuleEmitter.Join(name, bn));
    }

    /// <summary>The backbone's layer1 (stride 4) and layer4 outputs.</summary>
    public static (OnnxTensor Layer1, OnnxTensor Layer4) Features(OnnxGraphBuilder g, OnnxTensor x, ResNetBackbone backbone, string name)
    {
        var y = g.Relu(ConvBatchNorm(g, x, backbone, "conv1", "bn1", name));
        y = OnnxModuleEmitter.Module(g, y, OnnxModules.Child<nn.Module>(backbone, "maxpool"), OnnxModuleEmitter.Join(name, "maxpool"));
        var layer1 = Layer(g, y, backbone, "layer1", name);
        var layer4 = Layer(g, Layer(g, Layer(g, layer1, backbone, "layer2", name), backbone, "layer3", name), backbone, "layer4", name);
        return (layer1, layer4);
    }

    private static OnnxTensor Layer(OnnxGraphBuilder g, OnnxTensor x, ResNetBackbone backbone, string layer, string name) =>
        OnnxModuleEmitter.Module(g, x, OnnxModules.Child<nn.Module>(backbone, layer), OnnxModuleEmitter.Join(name, layer));
}
