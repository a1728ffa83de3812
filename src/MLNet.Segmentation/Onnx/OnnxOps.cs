using Onnx;
using static MLNet.Segmentation.Onnx.OnnxAttributes;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// The ONNX operators the networks need, on N x C x H x W float32 values, each computing its output's spatial size
/// (at export time when the input's is known).
/// </summary>
internal static class OnnxOps
{
    private static long Window(long size, long kernel, long stride, long pad, long dilation) =>
        (size + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;

    /// <summary>A square-kernel convolution: weight [Cout, Cin/groups, k, k], optional bias [Cout].</summary>
    public static OnnxTensor Conv(this OnnxGraphBuilder g, OnnxTensor x, string hint, float[] weight, long[] weightDims, float[]? bias,
        long[] stride, long[] padding, long[] dilation, long groups)
    {
        var inputs = new List<string> { x.Name, g.Floats(hint + ".weight", weight, weightDims) };
        if (bias is not null) inputs.Add(g.Floats(hint + ".bias", bias, weightDims[0]));
        string y = g.Node("Conv", inputs, hint,
            Ints("kernel_shape", weightDims[2], weightDims[3]), Ints("strides", stride), Ints("dilations", dilation),
            Ints("pads", padding[0], padding[1], padding[0], padding[1]), Int("group", groups));
        return new OnnxTensor(y, weightDims[0],
            OnnxDim.Derive(x.Height, h => Window(h, weightDims[2], stride[0], padding[0], dilation[0]), y, 2),
            OnnxDim.Derive(x.Width, w => Window(w, weightDims[3], stride[1], padding[1], dilation[1]), y, 3));
    }

    /// <summary>A transposed convolution: weight [Cin, Cout/groups, k, k], optional bias [Cout].</summary>
    public static OnnxTensor ConvTranspose(this OnnxGraphBuilder g, OnnxTensor x, string hint, float[] weight, long[] weightDims, float[]? bias,
        long[] stride, long[] padding, long[] outputPadding, long[] dilation, long groups)
    {
        long outChannels = weightDims[1] * groups;
        var inputs = new List<string> { x.Name, g.Floats(hint + ".weight", weight, weightDims) };
        if (bias is not null) inputs.Add(g.Floats(hint + ".bias", bias, outChannels));
        string y = g.Node("ConvTranspose", inputs, hint,
            Ints("kernel_shape", weightDims[2], weightDims[3]), Ints("strides", stride), Ints("dilations", dilation),
            Ints("pads", padding[0], padding[1], padding[0], padding[1]), Ints("output_padding", outputPadding), Int("group", groups));
        long Size(long s, int i) => (s - 1) * stride[i] - 2 * padding[i] + dilation[i] * (weightDims[2 + i] - 1) + outputPadding[i] + 1;
        return new OnnxTensor(y, outChannels, OnnxDim.Derive(x.Height, h => Size(h, 0), y, 2), OnnxDim.Derive(x.Width, w => Size(w, 1), y, 3));
    }

    /// <summary>Inference-mode batch normalization with the running statistics.</summary>
    public static OnnxTensor BatchNorm(this OnnxGraphBuilder g, OnnxTensor x, string hint, float[] scale, float[] bias, float[] mean, float[] variance, double eps)
    {
        long c = x.Channels;
        string y = g.Node("BatchNormalization",
            [x.Name, g.Floats(hint + ".weight", scale, c), g.Floats(hint + ".bias", bias, c), g.Floats(hint + ".running_mean", mean, c),
             g.Floats(hint + ".running_var", variance, c)], hint, Float("epsilon", (float)eps));
        return x with { Name = y };
    }

    public static OnnxTensor Relu(this OnnxGraphBuilder g, OnnxTensor x) => x with { Name = g.Node("Relu", [x.Name], "relu") };

    /// <summary>Max pooling with a square window (floor mode); with <paramref name="indices"/> also ONNX's flattened argmax indices.</summary>
    public static (OnnxTensor Output, string? Indices) MaxPool(this OnnxGraphBuilder g, OnnxTensor x, long kernel, long stride, long padding,
        long dilation, bool indices)
    {
        var attributes = new List<AttributeProto>
        {
            Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride), Ints("pads", padding, padding, padding, padding),
        };
        if (dilation != 1) attributes.Add(Ints("dilations", dilation, dilation));
        var outputs = g.Node("MaxPool", [x.Name], indices ? 2 : 1, "pool", [.. attributes]);
        string y = outputs[0];
        var output = new OnnxTensor(y, x.Channels,
            OnnxDim.Derive(x.Height, h => Window(h, kernel, stride, padding, dilation), y, 2),
            OnnxDim.Derive(x.Width, w => Window(w, kernel, stride, padding, dilation), y, 3));
        return (output, indices ? outputs[1] : null);
    }

    /// <summary>Max unpooling with MaxPool's indices back to the exact size of <paramref name="beforePooling"/>.</summary>
    public static OnnxTensor MaxUnpool(this OnnxGraphBuilder g, OnnxTensor x, string indices, OnnxTensor beforePooling, long kernel, long stride)
    {
        string y = g.Node("MaxUnpool", [x.Name, indices, g.ShapeOf(beforePooling.Name)], "unpool",
            Ints("kernel_shape", kernel, kernel), Ints("strides", stride, stride), Ints("pads", 0, 0, 0, 0));
        return new OnnxTensor(y, x.Channels, beforePooling.Height, beforePooling.Width);
    }

    /// <summary>
    /// Resizing to <paramref name="height"/> x <paramref name="width"/>: bilinear as torch's interpolate(mode='bilinear',
    /// align_corners=False) — ONNX linear with half_pixel coordinates, source (dst + 0.5) * in / out - 0.5, source indices
    /// below 0 clamped to 0 in both; pytorch_half_pixel would differ only for an output of 1 pixel, where torch too takes
    /// the half-pixel centre — or nearest as torch's 'nearest' (asymmetric coordinates, floor).
    /// </summary>
    public static OnnxTensor Resize(this OnnxGraphBuilder g, OnnxTensor x, OnnxDim height, OnnxDim width, bool bilinear)
    {
        string sizes = g.Node("Concat", [g.ShapeElements(x.Name, 0, 2), height.Value(g), width.Value(g)], "sizes", Int("axis", 0));
        var attributes = bilinear
            ? new[] { String("mode", "linear"), String("coordinate_transformation_mode", "half_pixel") }
            : [String("mode", "nearest"), String("coordinate_transformation_mode", "asymmetric"), String("nearest_mode", "floor")];
        string y = g.Node("Resize", [x.Name, "", "", sizes], "resize", attributes);
        return new OnnxTensor(y, x.Channels, height, width);
    }

    /// <summary>Concatenation along the channels (the spatial sizes must agree).</summary>
    public static OnnxTensor Concat(this OnnxGraphBuilder g, IReadOnlyList<OnnxTensor> parts)
    {
        string y = g.Node("Concat", parts.Select(p => p.Name).ToArray(), "cat", Int("axis", 1));
        return parts[0] with { Name = y, Channels = parts.Sum(p => p.Channels) };
    }

    /// <summary>An element-wise Add, Sub, Mul or Div of <paramref name="x"/> and <paramref name="other"/> (broadcast).</summary>
    public static OnnxTensor Elementwise(this OnnxGraphBuilder g, string op, OnnxTensor x, string other) =>
        x with { Name = g.Node(op, [x.Name, other], op.ToLowerInvariant()) };

    /// <summary>Padding of the spatial dimensions: "constant" (zeros) or "reflect".</summary>
    public static OnnxTensor Pad(this OnnxGraphBuilder g, OnnxTensor x, OnnxDim top, OnnxDim bottom, OnnxDim left, OnnxDim right, string mode)
    {
        var zero = OnnxDim.Of(0);
        OnnxDim[] pads = [zero, zero, top, left, zero, zero, bottom, right];
        string padsValue = pads.All(p => p.Known is not null)
            ? g.Int64s(pads.Select(p => p.Known!.Value).ToArray())
            : g.Node("Concat", pads.Select(p => p.Value(g)).ToArray(), "pads", Int("axis", 0));
        string y = g.Node("Pad", [x.Name, padsValue], "pad", String("mode", mode));
        return new OnnxTensor(y, x.Channels, g.Add(g.Add(x.Height, top), bottom), g.Add(g.Add(x.Width, left), right));
    }

    /// <summary>The <paramref name="height"/> x <paramref name="width"/> window at (<paramref name="top"/>, <paramref name="left"/>).</summary>
    public static OnnxTensor Crop(this OnnxGraphBuilder g, OnnxTensor x, OnnxDim top, OnnxDim left, OnnxDim height, OnnxDim width)
    {
        OnnxDim bottom = g.Add(top, height), right = g.Add(left, width);
        string starts = Pair(g, top, left), ends = Pair(g, bottom, right);
        string y = g.Node("Slice", [x.Name, starts, ends, g.Int64s(2, 3)], "crop");
        return new OnnxTensor(y, x.Channels, height, width);
    }

    private static string Pair(OnnxGraphBuilder g, OnnxDim a, OnnxDim b) =>
        a.Known is { } x && b.Known is { } y ? g.Int64s(x, y) : g.Node("Concat", [a.Value(g), b.Value(g)], "window", Int("axis", 0));

    /// <summary>Global average pooling to 1 x 1.</summary>
    public static OnnxTensor GlobalAveragePool(this OnnxGraphBuilder g, OnnxTensor x) =>
        new(g.Node("GlobalAveragePool", [x.Name], "gap"), x.Channels, OnnxDim.Of(1), OnnxDim.Of(1));
}
