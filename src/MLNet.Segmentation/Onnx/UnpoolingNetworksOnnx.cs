using MLNet.Segmentation.Models;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// SegNet and DeconvNet as their forward computes them: zero-pad to at least 32 pixels, VGG-16 with pooling indices,
/// (DeconvNet: fc6, fc7, deconv_fc6,) then per stage, deepest first, max unpooling with the stage's indices to its
/// exact pre-pooling size and the decoder stage; the classifier; crop to the input size. ONNX MaxPool's indices are
/// flattened over the whole tensor (PyTorch's over each plane), which its MaxUnpool reads consistently.
/// </summary>
internal static class UnpoolingNetworksOnnx
{
    public static OnnxTensor SegNet(OnnxGraphBuilder g, OnnxTensor input, SegNet model) =>
        Emit(g, input, model, model.Encoder, [], "encoder");

    public static OnnxTensor DeconvNet(OnnxGraphBuilder g, OnnxTensor input, DeconvNet model) =>
        Emit(g, input, model, model.Encoder, ["fc6", "fc7", "deconv_fc6"], "encoder");

    private static OnnxTensor Emit(OnnxGraphBuilder g, OnnxTensor input, nn.Module model, Models.Backbones.Vgg16Backbone encoder,
        string[] bottleneck, string encoderName)
    {
        var stages = VggOnnx.Stages(g, OnnxSpatialFit.PadToAtLeast(g, input, 32), encoder, encoderName, indices: true);
        var y = stages[^1].Pooled;
        foreach (string name in bottleneck) y = OnnxModuleEmitter.Module(g, y, OnnxModules.Child<nn.Module>(model, name), name);
        var decoder = OnnxModules.Children(OnnxModules.Child<nn.Module>(model, "decoder"));
        for (int i = 0; i < decoder.Count; i++)
            y = OnnxModuleEmitter.Module(g, VggOnnx.Unpool(g, y, stages[stages.Count - 1 - i]), decoder[i].Module, $"decoder.{decoder[i].Name}");
        var logits = OnnxModuleEmitter.Module(g, y, OnnxModules.Child<nn.Module>(model, "classifier"), "classifier");
        return OnnxSpatialFit.CropTopLeft(g, logits, input.Height, input.Width);
    }
}
