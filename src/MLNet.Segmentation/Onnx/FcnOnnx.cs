using MLNet.Segmentation.Models;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// FCN-32s/16s/8s as its forward computes it: zero-pad to a multiple of 32, VGG-16, conv6/conv7, score_fr, the skip
/// fusions of pool4 (and pool3), the final transposed convolution, crop to the input size.
/// </summary>
internal static class FcnOnnx
{
    public static OnnxTensor Emit(OnnxGraphBuilder g, OnnxTensor input, Fcn model)
    {
        var stages = VggOnnx.Stages(g, OnnxSpatialFit.PadToMultiple(g, input, 32), model.Backbone, "backbone", indices: false);
        OnnxTensor Layer(string name, OnnxTensor x) => OnnxModuleEmitter.Module(g, x, OnnxModules.Child<nn.Module>(model, name), name);
        var score = Layer("score_fr", Layer("conv7", Layer("conv6", stages[4].Pooled)));
        if (OnnxModules.Find(model, "upscore2") is not null && OnnxModules.Find(model, "score_pool4") is not null)
            score = g.Elementwise("Add", Layer("upscore2", score), Layer("score_pool4", stages[3].Pooled).Name);
        if (OnnxModules.Find(model, "upscore_pool4") is not null && OnnxModules.Find(model, "score_pool3") is not null)
            score = g.Elementwise("Add", Layer("upscore_pool4", score), Layer("score_pool3", stages[2].Pooled).Name);
        return OnnxSpatialFit.CropTopLeft(g, Layer("upscore", score), input.Height, input.Width);
    }
}
