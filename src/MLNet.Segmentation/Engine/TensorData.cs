using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Engine;

/// <summary>Copies between managed memory and CPU tensors without pinning managed arrays as tensor storage.</summary>
public static class TensorData
{
    /// <summary>The scalar type of a .NET element type.</summary>
    public static ScalarType ScalarTypeOf<T>() where T : unmanaged => typeof(T) switch
    {
        var t when t == typeof(float) => ScalarType.Float32,
        var t when t == typeof(double) => ScalarType.Float64,
        var t when t == typeof(long) => ScalarType.Int64,
        var t when t == typeof(int) => ScalarType.Int32,
        var t when t == typeof(short) => ScalarType.Int16,
        var t when t == typeof(sbyte) => ScalarType.Int8,
        var t when t == typeof(byte) => ScalarType.Byte,
        var t when t == typeof(bool) => ScalarType.Bool,
        var t when t == typeof(Half) => ScalarType.Float16,
        _ => throw new ArgumentException($"no tensor element type for {typeof(T).Name}"),
    };

    /// <summary>A new CPU tensor of <paramref name="shape"/> holding a copy of <paramref name="data"/> (moved to <paramref name="device"/> when given).</summary>
    public static Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null) where T : unmanaged
    {
        long count = 1;
        foreach (long s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative size in shape {ShapeText(shape.ToArray())}", nameof(shape));
            count *= s;
        }
        if (count != data.Length) throw new ArgumentException($"shape {ShapeText(shape.ToArray())} needs {count} values but {data.Length} were given", nameof(data));
        var cpu = empty(shape, ScalarTypeOf<T>());
        if (count > 0) MemoryMarshal.AsBytes(data).CopyTo(cpu.bytes);
        if (device is null || device.type == TorchSharp.DeviceType.CPU) return cpu;
        using (cpu) return cpu.to(device);
    }

    /// <summary>A new CPU tensor over a copy of <paramref name="data"/>, of <paramref name="shape"/> (none given: one dimension).</summary>
    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged =>
        FromSpan<T>(data, shape.Length == 0 ? [data.LongLength] : shape);

    /// <summary>The elements of <paramref name="tensor"/> (any device or layout) in row-major order.</summary>
    public static T[] ToArray<T>(Tensor tensor) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var scope = NewDisposeScope();
        if (tensor.dtype != ScalarTypeOf<T>())
            throw new ArgumentException($"the tensor holds {tensor.dtype}, not {typeof(T).Name}", nameof(tensor));
        var cpu = tensor.device_type == TorchSharp.DeviceType.CPU ? tensor : tensor.cpu();
        if (!cpu.is_contiguous()) cpu = cpu.contiguous();
        var result = new T[cpu.numel()];
        if (result.Length > 0) cpu.bytes.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    /// <summary>A tensor's values (any dtype, device or layout, gradients detached) as float32, row-major.</summary>
    public static float[] Floats(Tensor tensor)
    {
        using var scope = NewDisposeScope();
        return ToArray<float>(tensor.detach().to_type(ScalarType.Float32));
    }

    /// <summary>A shape as text, e.g. "[2, 3, 64, 64]".</summary>
    public static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>A tensor's shape as text.</summary>
    public static string ShapeOf(Tensor tensor) => ShapeText(tensor.shape);
}
