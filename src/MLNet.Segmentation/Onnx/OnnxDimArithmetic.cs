namespace MLNet.Segmentation.Onnx;

/// <summary>
/// Integer arithmetic on <see cref="OnnxDim"/> sizes: done at export time when every operand is known, else as int64
/// nodes of the graph. Division and remainder are meant for non-negative operands (ONNX Div truncates).
/// </summary>
internal static class OnnxDimArithmetic
{
    public static OnnxDim Add(this OnnxGraphBuilder g, OnnxDim a, OnnxDim b) => Binary(g, "Add", a, b, (x, y) => x + y);

    public static OnnxDim Add(this OnnxGraphBuilder g, OnnxDim a, long b) => g.Add(a, OnnxDim.Of(b));

    public static OnnxDim Sub(this OnnxGraphBuilder g, OnnxDim a, OnnxDim b) => Binary(g, "Sub", a, b, (x, y) => x - y);

    public static OnnxDim Sub(this OnnxGraphBuilder g, OnnxDim a, long b) => g.Sub(a, OnnxDim.Of(b));

    public static OnnxDim Sub(this OnnxGraphBuilder g, long a, OnnxDim b) => g.Sub(OnnxDim.Of(a), b);

    public static OnnxDim Mul(this OnnxGraphBuilder g, OnnxDim a, long b) => Binary(g, "Mul", a, OnnxDim.Of(b), (x, y) => x * y);

    public static OnnxDim Div(this OnnxGraphBuilder g, OnnxDim a, long b) => Binary(g, "Div", a, OnnxDim.Of(b), (x, y) => x / y);

    public static OnnxDim Mod(this OnnxGraphBuilder g, OnnxDim a, long b) => Binary(g, "Mod", a, OnnxDim.Of(b), (x, y) => x % y);

    public static OnnxDim Min(this OnnxGraphBuilder g, OnnxDim a, OnnxDim b) => Binary(g, "Min", a, b, Math.Min);

    public static OnnxDim Max(this OnnxGraphBuilder g, OnnxDim a, long b) => Binary(g, "Max", a, OnnxDim.Of(b), Math.Max);

    private static OnnxDim Binary(OnnxGraphBuilder g, string op, OnnxDim a, OnnxDim b, Func<long, long, long> host)
    {
        if (a.Known is { } x && b.Known is { } y) return OnnxDim.Of(host(x, y));
        return OnnxDim.Computed(g.Node(op, [a.Value(g), b.Value(g)], "size"));
    }
}
