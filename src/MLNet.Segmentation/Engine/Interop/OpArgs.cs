using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace MLNet.Segmentation.Engine.Interop;

/// <summary>
/// Stack-only builder of an operator's arguments, in schema order. Lists are copied into inline
/// buffers, so building and calling an op allocates nothing on the managed heap.
/// </summary>
internal struct OpArgs
{
    internal const int MaxArgs = 16;
    internal const int MaxListValues = 64;

    internal ArgBuffer Args;
    internal int Count;
    internal LongBuffer Longs;
    internal int LongCount;
    internal HandleBuffer Handles;
    internal int HandleCount;
    internal KeepAliveBuffer KeepAlive;
    internal int KeepAliveCount;

    [UnscopedRef]
    private ref NativeArg Next(ArgKind kind)
    {
        if (Count == MaxArgs) throw new InvalidOperationException($"an operator call takes at most {MaxArgs} arguments");
        ref NativeArg arg = ref Args[Count++];
        arg.Kind = (int)kind;
        return ref arg;
    }

    private void Keep(object value)
    {
        if (KeepAliveCount < MaxListValues) KeepAlive[KeepAliveCount++] = value;
    }

    /// <summary>A tensor argument (must not be disposed).</summary>
    [UnscopedRef]
    public ref OpArgs T(Tensor tensor)
    {
        Next(ArgKind.Tensor).P = tensor.LiveHandle;
        Keep(tensor);
        return ref this;
    }

    /// <summary>An optional tensor argument: null passes None.</summary>
    [UnscopedRef]
    public ref OpArgs OptT(Tensor? tensor) => ref tensor is null ? ref None() : ref T(tensor);

    /// <summary>None, for an optional argument.</summary>
    [UnscopedRef]
    public ref OpArgs None()
    {
        Next(ArgKind.None);
        return ref this;
    }

    /// <summary>An int (also a Scalar, a ScalarType, or an int[N] broadcast).</summary>
    [UnscopedRef]
    public ref OpArgs I(long value)
    {
        Next(ArgKind.Int).I = value;
        return ref this;
    }

    /// <summary>An optional int: null passes None.</summary>
    [UnscopedRef]
    public ref OpArgs OptI(long? value) => ref value is null ? ref None() : ref I(value.Value);

    /// <summary>A float (also a Scalar).</summary>
    [UnscopedRef]
    public ref OpArgs D(double value)
    {
        Next(ArgKind.Double).D = value;
        return ref this;
    }

    /// <summary>An optional float: null passes None.</summary>
    [UnscopedRef]
    public ref OpArgs OptD(double? value) => ref value is null ? ref None() : ref D(value.Value);

    /// <summary>A bool.</summary>
    [UnscopedRef]
    public ref OpArgs B(bool value)
    {
        Next(ArgKind.Bool).I = value ? 1 : 0;
        return ref this;
    }

    /// <summary>An int list (copied).</summary>
    [UnscopedRef]
    public ref OpArgs Ints(scoped ReadOnlySpan<long> values)
    {
        int offset = Reserve(values.Length);
        for (int k = 0; k < values.Length; k++) Longs[offset + k] = values[k];
        ref NativeArg arg = ref Next(ArgKind.IntList);
        arg.I = offset;
        arg.N = values.Length;
        return ref this;
    }

    /// <summary>An int list of two values (kernel sizes, strides, paddings).</summary>
    [UnscopedRef]
    public ref OpArgs Ints(long first, long second)
    {
        Span<long> pair = [first, second];
        return ref Ints(pair);
    }

    /// <summary>An optional int list: null passes None.</summary>
    [UnscopedRef]
    public ref OpArgs OptInts(long[]? values) => ref values is null ? ref None() : ref Ints(values);

    /// <summary>A float list (copied).</summary>
    [UnscopedRef]
    public ref OpArgs Doubles(scoped ReadOnlySpan<double> values)
    {
        int offset = Reserve(values.Length);
        for (int k = 0; k < values.Length; k++) Longs[offset + k] = BitConverter.DoubleToInt64Bits(values[k]);
        ref NativeArg arg = ref Next(ArgKind.DoubleList);
        arg.I = offset;
        arg.N = values.Length;
        return ref this;
    }

    /// <summary>A tensor list; null entries pass None (for Tensor?[] arguments).</summary>
    [UnscopedRef]
    public ref OpArgs Tensors(scoped ReadOnlySpan<Tensor?> tensors)
    {
        if (HandleCount + tensors.Length > MaxListValues)
            throw new InvalidOperationException($"an operator call takes at most {MaxListValues} tensors in lists");
        int offset = HandleCount;
        foreach (var tensor in tensors)
        {
            Handles[HandleCount++] = tensor is null ? IntPtr.Zero : tensor.LiveHandle;
            if (tensor is not null) Keep(tensor);
        }
        ref NativeArg arg = ref Next(ArgKind.TensorList);
        arg.I = offset;
        arg.N = tensors.Length;
        return ref this;
    }

    /// <summary>A tensor list of any length (see <see cref="PinnedTensorList"/>); its tensors must be live.</summary>
    [UnscopedRef]
    public ref OpArgs Tensors(PinnedTensorList list)
    {
        ref NativeArg arg = ref Next(ArgKind.TensorList);
        arg.P = list.FillHandles();
        arg.I = -1; // the address is final: ResolvePointers leaves it
        arg.N = list.Count;
        Keep(list);
        return ref this;
    }

    /// <summary>A string (interned natively for the process lifetime: use for constant option names).</summary>
    [UnscopedRef]
    public ref OpArgs S(string value)
    {
        Next(ArgKind.String).P = InternedUtf8.Get(value);
        return ref this;
    }

    /// <summary>A device.</summary>
    [UnscopedRef]
    public ref OpArgs Dev(Device device)
    {
        ref NativeArg arg = ref Next(ArgKind.Device);
        arg.I = (int)device.Type;
        arg.N = device.Index;
        return ref this;
    }

    /// <summary>An optional generator: null passes None (the default generator).</summary>
    [UnscopedRef]
    public ref OpArgs Gen(Generator? generator)
    {
        if (generator is null) return ref None();
        Next(ArgKind.Generator).P = generator.LiveHandle;
        Keep(generator);
        return ref this;
    }

    private int Reserve(int count)
    {
        if (LongCount + count > MaxListValues)
            throw new InvalidOperationException($"an operator call takes at most {MaxListValues} list values");
        int offset = LongCount;
        LongCount += count;
        return offset;
    }

    /// <summary>Points list arguments at the (now fixed) inline buffers.</summary>
    internal unsafe void ResolvePointers(long* longs, IntPtr* handles)
    {
        for (int k = 0; k < Count; k++)
        {
            ref NativeArg arg = ref Args[k];
            switch ((ArgKind)arg.Kind)
            {
                case ArgKind.IntList:
                case ArgKind.DoubleList:
                    arg.P = (IntPtr)(longs + arg.I);
                    break;
                case ArgKind.TensorList when arg.I >= 0:
                    arg.P = (IntPtr)(handles + arg.I);
                    break;
            }
        }
    }
}

/// <summary>UTF-8 copies of option strings kept for the process lifetime (a handful of constants).</summary>
internal static class InternedUtf8
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, IntPtr> Cache = new();

    internal static IntPtr Get(string value) => Cache.GetOrAdd(value, static s =>
    {
        byte[] bytes = Encoding.UTF8.GetBytes(s + "\0");
        IntPtr memory = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, memory, bytes.Length);
        return memory;
    });
}
