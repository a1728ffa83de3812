using MLNet.Segmentation.Models.Backbones;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>One VGG stage in the graph: the map before pooling, the pooled map and (when asked) ONNX's pooling indices.</summary>
internal sealed record OnnxVggStage(OnnxTensor BeforePooling, OnnxTensor Pooled, string? Indices);

/// <summary>The 5 stages of a <see cref="Vgg16Backbone"/> ("features": convolutions, BatchNorm, ReLU, and a max pooling ending each stage).</summary>
internal static class VggOnnx
{
    public static IReadOnlyList<OnnxVggStage> Stages(OnnxGraphBuilder g, OnnxTensor x, Vgg16Backbone backbone, string name, bool indices)
    {
        string features = OnnxModuleEmitter.Join(name, "features");
        var stages = new List<OnnxVggStage>();
        var pending = new List<(string, nn.Module)>();
        foreach (var (childName, child) in OnnxModules.Children(OnnxModules.Child<Sequential>(backbone, "features")))
        {
            if (child is not MaxPool2d pool)
            {
                pending.Add((childName, child));
                continue;
            }
            x = OnnxModuleEmitter.Layers(g, x, pending, features);
            pending.Clear();
            var (pooled, poolIndices) = OnnxModuleEmitter.MaxPool(g, x, pool, indices);
            stages.Add(new OnnxVggStage(x, pooled, poolIndices));
            x = pooled;
        }
        if (pending.Count > 0) throw new NotSupportedException("ONNX export: the VGG features do not end with a max pooling");
        return stages;
    }

    /// <summary>Max unpooling with a stage's indices (2 x 2, stride 2) back to its exact size before pooling.</summary>
    public static OnnxTensor Unpool(OnnxGraphBuilder g, OnnxTensor x, OnnxVggStage stage) =>
        g.MaxUnpool(x, stage.Indices ?? throw new InvalidOperationException("the stage was built without pooling indices"), stage.BeforePooling, 2, 2);
}
