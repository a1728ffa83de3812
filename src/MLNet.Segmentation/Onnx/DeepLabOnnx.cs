using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>DeepLab v3 and v3+ as their forward computes them, with ASPP and its image-pooling branch.</summary>
internal static class DeepLabOnnx
{
    /// <summary>classifier(backbone(x)), upsampled bilinearly to the input size.</summary>
    public static OnnxTensor V3(OnnxGraphBuilder g, OnnxTensor x, DeepLabV3 model)
    {
        var (_, layer4) = ResNetOnnx.Features(g, x, model.Backbone, "backbone");
        var logits = OnnxModuleEmitter.Module(g, layer4, OnnxModules.Child<Sequential>(model, "classifier"), "classifier");
        return g.Resize(logits, x.Height, x.Width, bilinear: true);
    }

    /// <summary>The decoder fuses ASPP's output upsampled to layer1's size with projected layer1 features; classifier; upsampled to the input size.</summary>
    public static OnnxTensor V3Plus(OnnxGraphBuilder g, OnnxTensor x, DeepLabV3Plus model)
    {
        var (layer1, layer4) = ResNetOnnx.Features(g, x, model.Backbone, "backbone");
        var high = Aspp(g, layer4, OnnxModules.Child<Aspp>(model, "aspp"), "aspp");
        var decoder = OnnxModules.Child<DeepLabV3PlusDecoder>(model, "decoder");
        var up = g.Resize(high, layer1.Height, layer1.Width, bilinear: true);
        var low = OnnxModuleEmitter.Module(g, layer1, OnnxModules.Child<Sequential>(decoder, "low_level"), "decoder.low_level");
        var fused = OnnxModuleEmitter.Module(g, g.Concat([up, low]), OnnxModules.Child<Sequential>(decoder, "fuse"), "decoder.fuse");
        var logits = OnnxModuleEmitter.Module(g, fused, OnnxModules.Child<nn.Module>(model, "classifier"), "classifier");
        return g.Resize(logits, x.Height, x.Width, bilinear: true);
    }

    /// <summary>project(concat of every branch of "convs").</summary>
    public static OnnxTensor Aspp(OnnxGraphBuilder g, OnnxTensor x, Aspp aspp, string name)
    {
        var convs = OnnxModules.Child<nn.Module>(aspp, "convs");
        var branches = OnnxModules.Children(convs)
            .Select(c => OnnxModuleEmitter.Module(g, x, c.Module, OnnxModuleEmitter.Join(name, "convs." + c.Name)))
            .ToArray();
        return OnnxModuleEmitter.Module(g, g.Concat(branches), OnnxModules.Child<Sequential>(aspp, "project"), OnnxModuleEmitter.Join(name, "project"));
    }

    /// <summary>Layers "0".."3" (global pooling, conv, BatchNorm, ReLU), then bilinear upsampling back to the input size.</summary>
    public static OnnxTensor AsppPooling(OnnxGraphBuilder g, OnnxTensor x, AsppPooling pooling, string name)
    {
        var y = OnnxModuleEmitter.Layers(g, x, OnnxModules.Children(pooling), name);
        return g.Resize(y, x.Height, x.Width, bilinear: true);
    }
}
