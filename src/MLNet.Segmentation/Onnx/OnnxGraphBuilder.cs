using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;
using Onnx;

namespace MLNet.Segmentation.Onnx;

/// <summary>
/// Builds one ONNX graph: unique value and node names, nodes, float32 initializers (raw little-endian data), shared
/// int64 constants, and cached reads of tensor shapes.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly Dictionary<string, int> _counters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _int64Constants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _shapes = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, int, int), string> _shapeElements = new();

    /// <summary>A builder for the default-domain opset <paramref name="opset"/>.</summary>
    public OnnxGraphBuilder(int opset, bool foldBatchNorm)
    {
        Opset = opset;
        FoldBatchNorm = foldBatchNorm;
    }

    /// <summary>The opset the nodes are written for.</summary>
    public int Opset { get; }

    /// <summary>Whether BatchNorm layers are folded into the convolution before them.</summary>
    public bool FoldBatchNorm { get; }

    /// <summary>The graph so far.</summary>
    public GraphProto Graph { get; } = new() { Name = "mlseg" };

    /// <summary>A name no other value or node has, from <paramref name="hint"/>.</summary>
    public string Unique(string hint)
    {
        string stem = string.IsNullOrEmpty(hint) ? "v" : hint;
        if (_names.Add(stem)) return stem;
        int n = _counters.GetValueOrDefault(stem);
        string name;
        do name = stem + "_" + (++n).ToString(CultureInfo.InvariantCulture);
        while (!_names.Add(name));
        _counters[stem] = n;
        return name;
    }

    /// <summary>Reserves a name given from outside (graph inputs and outputs).</summary>
    public string Reserve(string name)
    {
        if (!_names.Add(name)) throw new InvalidOperationException($"the graph already has a value named '{name}'");
        return name;
    }

    /// <summary>Adds a node of <paramref name="op"/> with <paramref name="outputs"/> new outputs; "" stands for an omitted optional input.</summary>
    public string[] Node(string op, IReadOnlyList<string> inputs, int outputs, string hint, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Unique("node_" + op) };
        node.Input.AddRange(inputs);
        var names = new string[outputs];
        for (int i = 0; i < outputs; i++) names[i] = Unique(hint);
        node.Output.AddRange(names);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return names;
    }

    /// <summary>Adds a node of <paramref name="op"/> with one output.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, string hint, params AttributeProto[] attributes) =>
        Node(op, inputs, 1, hint, attributes)[0];

    /// <summary>Adds a node whose single output is the given (reserved) name.</summary>
    public void NodeInto(string op, IReadOnlyList<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = Unique("node_" + op) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
    }

    /// <summary>A float32 initializer of shape <paramref name="dims"/>.</summary>
    public string Floats(string hint, ReadOnlySpan<float> values, params long[] dims)
    {
        long count = dims.Aggregate(1L, (a, d) => a * d);
        if (count != values.Length) throw new ArgumentException($"{values.Length} values for an initializer of {count} elements", nameof(values));
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        // The array is not touched again, so the message can wrap it instead of copying it.
        var tensor = new TensorProto { Name = Unique(hint), DataType = (int)TensorProto.Types.DataType.Float, RawData = UnsafeByteOperations.UnsafeWrap(bytes) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>A 1-D int64 constant (shared by every use of the same values).</summary>
    public string Int64s(params long[] values)
    {
        string key = string.Join(",", values);
        if (_int64Constants.TryGetValue(key, out var existing)) return existing;
        var tensor = new TensorProto { Name = Unique("const"), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        Graph.Initializer.Add(tensor);
        _int64Constants[key] = tensor.Name;
        return tensor.Name;
    }

    /// <summary>The int64 shape of <paramref name="tensor"/> (one Shape node per tensor).</summary>
    public string ShapeOf(string tensor)
    {
        if (!_shapes.TryGetValue(tensor, out var shape)) _shapes[tensor] = shape = Node("Shape", [tensor], tensor + "_shape");
        return shape;
    }

    /// <summary>Dimensions <paramref name="start"/>..<paramref name="start"/>+<paramref name="count"/>-1 of <paramref name="tensor"/>'s shape, as int64 [count].</summary>
    public string ShapeElements(string tensor, int start, int count = 1)
    {
        var key = (tensor, start, count);
        if (!_shapeElements.TryGetValue(key, out var value))
        {
            long[] indices = Enumerable.Range(start, count).Select(i => (long)i).ToArray();
            _shapeElements[key] = value = Node("Gather", [ShapeOf(tensor), Int64s(indices)], tensor + "_dims", OnnxAttributes.Int("axis", 0));
        }
        return value;
    }
}
