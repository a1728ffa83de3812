using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNet.Segmentation.Engine.Interop;

internal enum ArgKind
{
    None = 0, Tensor = 1, Int = 2, Double = 3, Bool = 4, IntList = 5, DoubleList = 6, TensorList = 7,
    String = 8, Device = 9, Generator = 10,
}

internal enum ResultKind { None = 0, Tensor = 1, Int = 2, Double = 3, Bool = 4 }

/// <summary>One operator argument as the bridge reads it (layout of mlseg_arg).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeArg
{
    public int Kind;
    public int Reserved;
    public long I;
    public double D;
    public IntPtr P;
    public long N;
}

/// <summary>One operator result as the bridge writes it (layout of mlseg_result).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeResult
{
    public int Kind;
    public int Reserved;
    public long I;
    public double D;
    public IntPtr P;
}

[InlineArray(OpArgs.MaxArgs)] internal struct ArgBuffer { private NativeArg _element; }
[InlineArray(OpArgs.MaxListValues)] internal struct LongBuffer { private long _element; }
[InlineArray(OpArgs.MaxListValues)] internal struct HandleBuffer { private IntPtr _element; }
[InlineArray(OpArgs.MaxListValues)] internal struct KeepAliveBuffer { private object? _element; }
[InlineArray(OpInvoker.MaxResults)] internal struct ResultBuffer { private NativeResult _element; }
