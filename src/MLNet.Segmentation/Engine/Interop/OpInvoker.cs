using System.Text;

namespace MLNet.Segmentation.Engine.Interop;

/// <summary>
/// One ATen operator (schema name and overload), resolved through libtorch's dispatcher on first use
/// and called boxed with <see cref="OpArgs"/>. Autograd applies as in PyTorch.
/// </summary>
internal sealed class OpInvoker(string name, string overload = "")
{
    internal const int MaxResults = 8;
    private IntPtr _handle;

    /// <summary>The schema name, e.g. "aten::conv2d".</summary>
    public string Name { get; } = name;

    /// <summary>The overload name, e.g. "Tensor" for "aten::add.Tensor".</summary>
    public string Overload { get; } = overload;

    /// <summary>The qualified name used in error messages.</summary>
    public string QualifiedName => Overload.Length == 0 ? Name : $"{Name}.{Overload}";

    private unsafe IntPtr Handle
    {
        get
        {
            if (_handle != IntPtr.Zero) return _handle;
            LibTorch.EnsureInitialized();
            byte[] nameBytes = Encoding.UTF8.GetBytes(Name + "\0");
            byte[] overloadBytes = Encoding.UTF8.GetBytes(Overload + "\0");
            fixed (byte* namePtr = nameBytes)
            fixed (byte* overloadPtr = overloadBytes)
            {
                NativeStatus.Check(NativeMethods.mlseg_op_find(namePtr, overloadPtr, out IntPtr handle), QualifiedName);
                Interlocked.CompareExchange(ref _handle, handle, IntPtr.Zero);
            }
            return _handle;
        }
    }

    /// <summary>Calls the operator and returns the raw results (tensor results are new handles the caller owns).</summary>
    internal unsafe int Call(ref OpArgs args, ref ResultBuffer results)
    {
        fixed (NativeResult* resultPtr = &results[0]) return Call(ref args, resultPtr, MaxResults);
    }

    private unsafe int Call(ref OpArgs args, NativeResult* results, int capacity)
    {
        IntPtr op = Handle;
        int count;
        int status;
        fixed (long* longs = &args.Longs[0])
        fixed (IntPtr* handles = &args.Handles[0])
        fixed (NativeArg* argPtr = &args.Args[0])
        {
            args.ResolvePointers(longs, handles);
            status = NativeMethods.mlseg_op_call(op, argPtr, args.Count, results, capacity, out count);
        }
        for (int k = 0; k < args.KeepAliveCount; k++) GC.KeepAlive(args.KeepAlive[k]);
        NativeStatus.Check(status, QualifiedName);
        return count;
    }

    /// <summary>Calls an operator that returns one tensor.</summary>
    internal Tensor Tensor(ref OpArgs args)
    {
        var results = new ResultBuffer();
        int count = Call(ref args, ref results);
        RequireTensors(results, count, 1);
        return new Tensor(results[0].P);
    }

    /// <summary>Calls an operator that returns two tensors.</summary>
    internal (Tensor First, Tensor Second) Tensors2(ref OpArgs args)
    {
        var results = new ResultBuffer();
        int count = Call(ref args, ref results);
        RequireTensors(results, count, 2);
        return (new Tensor(results[0].P), new Tensor(results[1].P));
    }

    /// <summary>Calls an operator that returns a tensor list.</summary>
    internal Tensor[] TensorList(ref OpArgs args)
    {
        var results = new ResultBuffer();
        int count = Call(ref args, ref results);
        return ToTensors(results, count, count);
    }

    /// <summary>
    /// Calls an operator that returns a list of <paramref name="expected"/> tensors, of any length (the foreach ops;
    /// <see cref="TensorList(ref OpArgs)"/> takes at most <see cref="MaxResults"/>).
    /// </summary>
    internal unsafe Tensor[] TensorList(ref OpArgs args, int expected)
    {
        var results = new NativeResult[Math.Max(expected, 1)];
        int count;
        fixed (NativeResult* resultPtr = results) count = Call(ref args, resultPtr, results.Length);
        return ToTensors(results, count, expected);
    }

    // The first `needed` results as tensors the caller owns (checked by RequireTensors).
    private Tensor[] ToTensors(Span<NativeResult> results, int count, int needed)
    {
        RequireTensors(results, count, needed);
        var tensors = new Tensor[needed];
        for (int k = 0; k < needed; k++) tensors[k] = new Tensor(results[k].P);
        return tensors;
    }

    /// <summary>Calls an in-place operator: its aliasing result is released at once.</summary>
    internal void InPlace(ref OpArgs args)
    {
        var results = new ResultBuffer();
        int count = Call(ref args, ref results);
        for (int k = 0; k < count; k++) FreeIfTensor(ref results[k]);
    }

    /// <summary>Calls an operator that returns a bool.</summary>
    internal bool Bool(ref OpArgs args)
    {
        var results = new ResultBuffer();
        int count = Call(ref args, ref results);
        if (count < 1 || results[0].Kind != (int)ResultKind.Bool)
            throw new TorchException(QualifiedName, "expected a bool result");
        return results[0].I != 0;
    }

    // Checks that the first `needed` results are defined tensors; otherwise frees every result and throws.
    private void RequireTensors(Span<NativeResult> results, int count, int needed)
    {
        bool ok = count >= needed;
        for (int k = 0; ok && k < needed; k++)
            ok = results[k].Kind == (int)ResultKind.Tensor && results[k].P != IntPtr.Zero;
        if (ok)
        {
            for (int k = needed; k < count; k++) FreeIfTensor(ref results[k]);
            return;
        }
        for (int k = 0; k < count; k++) FreeIfTensor(ref results[k]);
        throw new TorchException(QualifiedName, $"expected {needed} tensor result(s), got {count} result(s)");
    }

    private static void FreeIfTensor(ref NativeResult result)
    {
        if (result.Kind == (int)ResultKind.Tensor && result.P != IntPtr.Zero) NativeMethods.mlseg_tensor_free(result.P);
    }
}
