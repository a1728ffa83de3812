using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Weights;

/// <summary>The dtype names of the safetensors format.</summary>
internal static class SafeTensorsDType
{
    private static readonly (string Name, DType DType)[] Table =
    [
        ("F32", DType.Float32), ("F64", DType.Float64), ("F16", DType.Float16), ("BF16", DType.BFloat16),
        ("I64", DType.Int64), ("I32", DType.Int32), ("I16", DType.Int16), ("I8", DType.Int8),
        ("U8", DType.UInt8), ("BOOL", DType.Bool),
    ];

    internal static DType Parse(string name, string tensorName)
    {
        foreach (var (n, d) in Table)
            if (n == name) return d;
        throw new InvalidDataException($"safetensors: tensor '{tensorName}' has unsupported dtype '{name}' (supported: {string.Join(", ", Table.Select(t => t.Name))})");
    }

    internal static string Name(DType dtype)
    {
        foreach (var (n, d) in Table)
            if (d == dtype) return n;
        throw new NotSupportedException($"safetensors cannot store dtype {dtype}");
    }
}
