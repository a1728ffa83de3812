using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

public sealed partial class Tensor
{
    /// <summary>A new CPU tensor of <paramref name="dtype"/> whose elements are the little-endian bytes in <paramref name="data"/>.</summary>
    internal static unsafe Tensor FromBytes(ReadOnlySpan<byte> data, ReadOnlySpan<long> shape, DType dtype)
    {
        LibTorch.EnsureInitialized();
        long count = 1;
        foreach (long s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative dimension in shape {ShapeText(shape)}", nameof(shape));
            count = checked(count * s);
        }
        if (checked(count * dtype.ElementSize()) != data.Length)
            throw new ArgumentException($"shape {ShapeText(shape)} of {dtype} needs {count * dtype.ElementSize()} bytes but {data.Length} were given", nameof(data));
        fixed (byte* dataPtr = data)
        fixed (long* shapePtr = shape)
        {
            NativeStatus.Check(NativeMethods.mlseg_tensor_from_data(dataPtr, shapePtr, shape.Length, (int)dtype,
                (int)DeviceType.Cpu, 0, out IntPtr handle), "from_data");
            return new Tensor(handle);
        }
    }

    /// <summary>The elements (row-major, host byte order) as raw bytes, whatever the dtype.</summary>
    internal unsafe byte[] ToBytes()
    {
        var bytes = new byte[checked(NumberOfElements * DType.ElementSize())];
        fixed (byte* ptr = bytes)
        {
            NativeStatus.Check(NativeMethods.mlseg_tensor_copy_to(LiveHandle, ptr, bytes.LongLength), "copy_to");
        }
        return bytes;
    }

    /// <summary>this += value for any dtype (an integer scalar keeps integer tensors integral).</summary>
    internal void AddIntegerInPlace(long value)
    {
        var a = new OpArgs();
        Ops.AddScalarInPlace.InPlace(ref a.T(this).I(value).I(1));
    }
}
