using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Onnx;

/// <summary>Reads what the exporter needs from TorchSharp modules: registered children by state-dict name, and parameters as arrays.</summary>
internal static class OnnxModules
{
    /// <summary>The child registered as <paramref name="name"/> (its state-dict name), or null.</summary>
    public static nn.Module? Find(nn.Module module, string name) =>
        module.named_children().FirstOrDefault(c => c.name == name).module;

    /// <summary>The child registered as <paramref name="name"/>, of type <typeparamref name="T"/>.</summary>
    public static T Child<T>(nn.Module module, string name) where T : nn.Module =>
        Find(module, name) as T
        ?? throw new NotSupportedException($"ONNX export: {module.GetType().Name} has no {typeof(T).Name} child '{name}'");

    /// <summary>The registered children in order.</summary>
    public static IReadOnlyList<(string Name, nn.Module Module)> Children(nn.Module module) => module.named_children().ToList();

    /// <summary>The inference-mode parameters of <paramref name="bn"/> (scale 1 and bias 0 when it is not affine).</summary>
    public static Nn.BatchNormParameters BatchNorm(BatchNorm bn) =>
        Nn.BatchNormParameters.Of(bn)
        ?? throw new NotSupportedException("ONNX export: a BatchNorm2d without running statistics (track_running_stats: false) cannot be exported");
}
