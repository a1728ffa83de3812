using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// An n-dimensional array on the CPU or a CUDA device, backed by a libtorch tensor, with autograd.
/// Dispose it (or create it inside a <see cref="DisposeScope"/>) to release native memory promptly.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private readonly TensorHandle _handle;
    private long[]? _shape;
    private DType _dtype;
    private Device _device;

    static Tensor() => LibTorch.EnsureInitialized();

    internal Tensor(IntPtr handle)
    {
        if (handle == IntPtr.Zero) throw new ArgumentException("null native tensor handle", nameof(handle));
        _handle = new TensorHandle(handle);
        DisposeScope.Current?.Register(this);
    }

    internal DisposeScope? OwnerScope { get; set; }

    /// <summary>True once the native tensor has been released.</summary>
    public bool IsDisposed => _handle.IsClosed;

    internal IntPtr LiveHandle
    {
        get
        {
            if (_handle.IsClosed) throw new ObjectDisposedException(nameof(Tensor), "the tensor was disposed (by Dispose or by its DisposeScope)");
            return _handle.DangerousGetHandle();
        }
    }

    /// <summary>Releases the native tensor (idempotent).</summary>
    public void Dispose() => _handle.Dispose();

    /// <summary>Moves this tensor to the scope enclosing its owner (or makes the caller its owner at the outermost scope).</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        var outer = OwnerScope?.Outer;
        OwnerScope = null;
        outer?.Register(this);
        return this;
    }

    /// <summary>Removes this tensor from any dispose scope: the caller owns it and must dispose it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwnerScope = null;
        return this;
    }

    private unsafe void LoadInfo()
    {
        long* shape = stackalloc long[16];
        NativeStatus.Check(NativeMethods.mlseg_tensor_info(LiveHandle, out int ndim, shape, 16, out int dtype,
            out int deviceType, out int deviceIndex, out _), "tensor_info");
        var dims = new long[ndim];
        for (int k = 0; k < ndim; k++) dims[k] = shape[k];
        _dtype = (DType)dtype;
        _device = new Device((DeviceType)deviceType, deviceIndex);
        _shape = dims;
    }

    /// <summary>The size of each dimension (a copy).</summary>
    public long[] Shape => (long[])ShapeRef.Clone();

    internal long[] ShapeRef
    {
        get
        {
            if (_shape is null) LoadInfo();
            return _shape!;
        }
    }

    /// <summary>The number of dimensions.</summary>
    public int Dim => ShapeRef.Length;

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long Size(int dim) => ShapeRef[NormalizeDim(dim, Dim)];

    /// <summary>The number of elements.</summary>
    public long NumberOfElements
    {
        get
        {
            long n = 1;
            foreach (long s in ShapeRef) n *= s;
            return n;
        }
    }

    /// <summary>The element type.</summary>
    public DType DType
    {
        get
        {
            if (_shape is null) LoadInfo();
            return _dtype;
        }
    }

    /// <summary>The device holding the data.</summary>
    public Device Device
    {
        get
        {
            if (_shape is null) LoadInfo();
            return _device;
        }
    }

    /// <summary>The shape as text, e.g. "[2, 3, 64, 64]".</summary>
    public string ShapeString => ShapeText(ShapeRef);

    internal static string ShapeText(ReadOnlySpan<long> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    internal static int NormalizeDim(int dim, int rank)
    {
        int d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= Math.Max(rank, 1))
            throw new ArgumentOutOfRangeException(nameof(dim), dim, $"dimension out of range for a tensor of rank {rank}");
        return d;
    }

    /// <inheritdoc />
    public override string ToString() =>
        IsDisposed ? "Tensor(disposed)" : $"Tensor({ShapeString}, {DType}, {Device})";

    // ---------------------------------------------------------------- creation from host memory

    /// <summary>Copies <paramref name="data"/> into a new tensor of the given shape on <paramref name="device"/>.</summary>
    public static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, ReadOnlySpan<long> shape, Device? device = null) where T : unmanaged
    {
        LibTorch.EnsureInitialized();
        long count = 1;
        foreach (long s in shape)
        {
            if (s < 0) throw new ArgumentException($"negative dimension in shape {ShapeText(shape)}", nameof(shape));
            count *= s;
        }
        if (count != data.Length)
            throw new ArgumentException($"shape {ShapeText(shape)} needs {count} elements but {data.Length} were given", nameof(data));
        var d = device ?? Device.Cpu;
        fixed (T* dataPtr = data)
        fixed (long* shapePtr = shape)
        {
            NativeStatus.Check(NativeMethods.mlseg_tensor_from_data(dataPtr, shapePtr, shape.Length, (int)DTypeInfo.Of<T>(),
                (int)d.Type, Math.Max(d.Index, 0), out IntPtr handle), "from_data");
            return new Tensor(handle);
        }
    }

    /// <summary>Copies an array into a new tensor; with no shape it is one-dimensional.</summary>
    public static Tensor FromArray<T>(T[] data, params long[] shape) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        return FromSpan<T>(data, shape.Length == 0 ? [data.LongLength] : shape);
    }

    /// <summary>A zero-dimensional tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar<T>(T value, Device? device = null) where T : unmanaged =>
        FromSpan<T>([value], ReadOnlySpan<long>.Empty, device);

    // ---------------------------------------------------------------- copies back to host memory

    /// <summary>Copies the elements (row-major) into <paramref name="destination"/>; the dtype must match <typeparamref name="T"/>.</summary>
    public unsafe void CopyTo<T>(Span<T> destination) where T : unmanaged
    {
        var expected = DTypeInfo.Of<T>();
        if (DType != expected)
            throw new InvalidOperationException($"tensor has dtype {DType}, not {expected}; convert it with To({expected}) first");
        if (destination.Length != NumberOfElements)
            throw new ArgumentException($"destination has {destination.Length} elements but the tensor {ShapeString} has {NumberOfElements}", nameof(destination));
        fixed (T* ptr = destination)
        {
            NativeStatus.Check(NativeMethods.mlseg_tensor_copy_to(LiveHandle, ptr, (long)destination.Length * sizeof(T)), "copy_to");
        }
    }

    /// <summary>The elements (row-major) as a new array; the dtype must match <typeparamref name="T"/>.</summary>
    public T[] ToArray<T>() where T : unmanaged
    {
        var result = new T[NumberOfElements];
        CopyTo<T>(result);
        return result;
    }

    /// <summary>The value of a one-element tensor as a double.</summary>
    public double ToDouble()
    {
        NativeStatus.Check(NativeMethods.mlseg_tensor_item_double(LiveHandle, out double value), "item");
        return value;
    }

    /// <summary>The value of a one-element tensor as a long.</summary>
    public long ToInt64()
    {
        NativeStatus.Check(NativeMethods.mlseg_tensor_item_int64(LiveHandle, out long value), "item");
        return value;
    }

    /// <summary>A new handle to the same tensor (shares data and autograd history).</summary>
    public Tensor Alias()
    {
        NativeStatus.Check(NativeMethods.mlseg_tensor_alias(LiveHandle, out IntPtr alias), "alias");
        return new Tensor(alias);
    }

    /// <summary>
    /// Takes <paramref name="data"/>'s data in place (Python's <c>tensor.data = data</c>), keeping this tensor, every
    /// handle to it and its requires-grad flag, so optimizers holding it stay valid. Shape, dtype and device must not
    /// change (a layout change is what this is for).
    /// </summary>
    internal void SetData(Tensor data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.DType != DType || data.Device != Device || !data.Shape.SequenceEqual(Shape))
            throw new ArgumentException($"SetData keeps shape, dtype and device: {ShapeString} {DType} on {Device} cannot take " +
                                        $"{data.ShapeString} {data.DType} on {data.Device}", nameof(data));
        NativeStatus.Check(NativeMethods.mlseg_tensor_set_data(LiveHandle, data.LiveHandle), "set_data");
    }

    /// <summary>The version counter, which every in-place change bumps (PyTorch's <c>tensor._version</c>).</summary>
    internal long Version
    {
        get
        {
            NativeStatus.Check(NativeMethods.mlseg_tensor_version(LiveHandle, out long version), "_version");
            return version;
        }
    }

    // ---------------------------------------------------------------- autograd

    /// <summary>Whether gradients are recorded for this tensor.</summary>
    public unsafe bool RequiresGrad
    {
        get
        {
            NativeStatus.Check(NativeMethods.mlseg_tensor_info(LiveHandle, out _, null, 16, out _, out _, out _, out int requiresGrad), "tensor_info");
            return requiresGrad != 0;
        }
        set => NativeStatus.Check(NativeMethods.mlseg_tensor_set_requires_grad(LiveHandle, value ? 1 : 0), "requires_grad_");
    }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor.</summary>
    public Tensor RequiresGrad_(bool requiresGrad = true)
    {
        RequiresGrad = requiresGrad;
        return this;
    }

    /// <summary>True for tensors created by the user rather than by a recorded operation.</summary>
    public bool IsLeaf
    {
        get
        {
            NativeStatus.Check(NativeMethods.mlseg_tensor_is_leaf(LiveHandle, out int isLeaf), "is_leaf");
            return isLeaf != 0;
        }
    }

    /// <summary>The accumulated gradient (a new handle the caller owns), or null when none.</summary>
    public Tensor? Grad
    {
        get
        {
            NativeStatus.Check(NativeMethods.mlseg_tensor_grad(LiveHandle, out IntPtr grad), "grad");
            return grad == IntPtr.Zero ? null : new Tensor(grad);
        }
        set => NativeStatus.Check(NativeMethods.mlseg_tensor_set_grad(LiveHandle, value is null ? IntPtr.Zero : value.LiveHandle), "set_grad");
    }

    /// <summary>Drops the accumulated gradient (like PyTorch's zero_grad with set_to_none).</summary>
    public void ZeroGrad() => Grad = null;

    /// <summary>Back-propagates from this tensor (a scalar unless <paramref name="gradient"/> is given).</summary>
    public void Backward(Tensor? gradient = null, bool retainGraph = false, bool createGraph = false)
    {
        NativeStatus.Check(NativeMethods.mlseg_tensor_backward(LiveHandle, gradient is null ? IntPtr.Zero : gradient.LiveHandle,
            retainGraph ? 1 : 0, createGraph ? 1 : 0), "backward");
        GC.KeepAlive(gradient);
    }
}
