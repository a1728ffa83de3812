using static TorchSharp.torch;

namespace MLNet.Segmentation.Weights;

/// <summary>The dtype names of the safetensors format.</summary>
internal static class SafeTensorsDType
{
    private static readonly (string Name, ScalarType DType)[] Table =
    [
        ("F32", ScalarType.Float32), ("F64", ScalarType.Float64), ("F16", ScalarType.Float16), ("BF16", ScalarType.BFloat16),
        ("I64", ScalarType.Int64), ("I32", ScalarType.Int32), ("I16", ScalarType.Int16), ("I8", ScalarType.Int8),
        ("U8", ScalarType.Byte), ("BOOL", ScalarType.Bool),
    ];

    internal static ScalarType Parse(string name, string tensorName)
    {
        foreach (var (n, d) in Table)
            if (n == name) return d;
        throw new InvalidDataException($"safetensors: tensor {ModelFiles.MessageText.Quote(tensorName)} has unsupported dtype {ModelFiles.MessageText.Quote(name)} (supported: {string.Join(", ", Table.Select(t => t.Name))})");
    }

    internal static string Name(ScalarType dtype)
    {
        foreach (var (n, d) in Table)
            if (d == dtype) return n;
        throw new NotSupportedException($"safetensors cannot store dtype {dtype}");
    }

    /// <summary>Bytes per element of the stored dtypes.</summary>
    internal static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool => 1,
        _ => throw new NotSupportedException($"safetensors cannot store dtype {dtype}"),
    };
}
