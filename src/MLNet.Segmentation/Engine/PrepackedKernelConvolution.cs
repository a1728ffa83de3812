using System.Runtime.CompilerServices;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// Opt-in: runs a gradient-free float32 CPU convolution with a large contiguous kernel (<see cref="MinimumKernelBytes"/>
/// and up: FCN's and DeconvNet's fc6 and fc7) on a copy of the kernel that oneDNN has already reordered into its own
/// blocked layout, kept per kernel tensor, instead of letting oneDNN reorder the kernel on every call. FCN-8s inference
/// measured 274–312 ms against 579 ms at 1 x 256x256, and 2.28 against 2.75 s at 8 x 256x256; but 144 against 96 ms at
/// 2 x 64x64, and the peak RSS rose by 380–790 MB, because making the copy holds the kernel three times over (the
/// parameter, its oneDNN copy and the reordered one) and the reordered copy then stays. So it is off by default; set
/// <see cref="Enabled"/> or <c>MLSEG_PREPACK_LARGE_KERNELS=1</c> where speed matters more than memory. The copy is made
/// again when the kernel changes (its version counter moves) and dies with the kernel tensor.
/// </summary>
public static class PrepackedKernelConvolution
{
    /// <summary>The smallest kernel, in bytes, given a reordered copy (16 MiB).</summary>
    public const long MinimumKernelBytes = 16L << 20;

    /// <summary>The environment variable that turns prepacking on when set to 1.</summary>
    public const string EnabledVariable = "MLSEG_PREPACK_LARGE_KERNELS";

    private static readonly ConditionalWeakTable<Tensor, DerivedTensorCache<(Size2, Size2, Size2, long)>> Cache = new();

    /// <summary>Whether large kernels are prepacked (default: off unless the environment variable is 1).</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable(EnabledVariable)?.Trim() == "1";

    /// <summary>Whether <see cref="Compute"/> should run this convolution.</summary>
    internal static bool Applies(Tensor input, Tensor weight, Tensor? bias, Size2 padding, Size2 dilation, long groups)
    {
        if (!Enabled || Autograd.IsEnabled || weight.NumberOfElements * sizeof(float) < MinimumKernelBytes) return false;
        if (!input.IsContiguous(MemoryFormat.Contiguous) || !weight.IsContiguous(MemoryFormat.Contiguous)) return false;
        return OneDnnConvolution.Accepts(input, weight, bias, padding, dilation, groups);
    }

    /// <summary>The convolution with the reordered kernel (call only when <see cref="Applies"/>).</summary>
    internal static Tensor Compute(Tensor input, Tensor weight, Tensor? bias, Size2 stride, Size2 padding, Size2 dilation, long groups)
    {
        using var packed = PackedKernel(weight, stride, padding, dilation, groups);
        return OneDnnConvolution.Run(input, packed, bias, stride, padding, dilation, groups);
    }

    /// <summary>A new handle to the reordered copy of <paramref name="weight"/>, made when missing or stale.</summary>
    private static Tensor PackedKernel(Tensor weight, Size2 stride, Size2 padding, Size2 dilation, long groups)
    {
        var cache = Cache.GetValue(weight, _ => new DerivedTensorCache<(Size2, Size2, Size2, long)>());
        return cache.Get([weight], () =>
        {
            using var scope = DisposeScope.Enter();
            var a = new OpArgs();
            var mkldnn = Ops.ToMkldnn.Tensor(ref a.T(weight));
            var b = new OpArgs();
            return [Ops.MkldnnReorderConv2dWeight.Tensor(ref b.T(mkldnn).Ints(padding.Height, padding.Width)
                .Ints(stride.Height, stride.Width).Ints(dilation.Height, dilation.Width).I(groups)).DetachFromDisposeScope()];
        }, (stride, padding, dilation, groups))[0];
    }
}
