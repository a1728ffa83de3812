namespace MLNet.Segmentation.Onnx;

/// <summary>
/// A spatial size while a graph is built: known at export time (a fixed-size export), or a value of the graph — an
/// int64 tensor of shape [1] — either already computed or read lazily from a tensor's shape when first needed.
/// </summary>
internal sealed class OnnxDim
{
    private readonly string? _tensor;
    private readonly int _axis;
    private string? _value;

    private OnnxDim(long? known, string? value, string? tensor, int axis)
    {
        Known = known;
        _value = value;
        _tensor = tensor;
        _axis = axis;
    }

    /// <summary>The size when known at export time.</summary>
    public long? Known { get; }

    /// <summary>A size known at export time.</summary>
    public static OnnxDim Of(long size) => new(size, null, null, 0);

    /// <summary>A size held by the int64 [1] graph value <paramref name="value"/>.</summary>
    public static OnnxDim Computed(string value) => new(null, value, null, 0);

    /// <summary>Dimension <paramref name="axis"/> of graph tensor <paramref name="tensor"/>, read when needed.</summary>
    public static OnnxDim ShapeOf(string tensor, int axis) => new(null, null, tensor, axis);

    /// <summary>The int64 [1] graph value of this size (a constant when known).</summary>
    public string Value(OnnxGraphBuilder graph) =>
        Known is { } known ? graph.Int64s(known) : _value ??= graph.ShapeElements(_tensor!, _axis);

    /// <summary>The size derived from <paramref name="input"/> by <paramref name="formula"/> when known, else dimension <paramref name="axis"/> of <paramref name="output"/>.</summary>
    public static OnnxDim Derive(OnnxDim input, Func<long, long> formula, string output, int axis) =>
        input.Known is { } known ? Of(formula(known)) : ShapeOf(output, axis);
}
