using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// Runs a float32 CPU convolution of a batch of one image through oneDNN. libtorch's convolution (1.13 and 2.x alike)
/// sends a single image with a kernel of at most 3x3 and at most 20,480 input values to its own im2col + BLAS kernel
/// instead ("native is faster" for some cases). In the deep, small layers of every bundled network that kernel is
/// 2–5x slower than oneDNN on this project's CPUs (with Debian's reference BLAS it runs on one thread), so single-image
/// inference, the predictor's and the ML.NET transformer's usual case, paid for it. This calls
/// <c>aten::mkldnn_convolution</c>, the kernel libtorch uses for larger batches, which has its own backward. Float64,
/// CUDA, autocast and batches of several images keep <c>aten::conv2d</c>; so do inputs it would reject, so that its
/// error messages stay the ones users see.
/// </summary>
internal static class SingleImageConvolution
{
    private static readonly Lazy<bool> OneDnn = new(() => LibTorch.OneDnnIsAvailable);

    /// <summary>Whether <see cref="Compute"/> should run this convolution.</summary>
    public static bool Applies(Tensor input, Tensor weight, Tensor? bias, Size2 padding, Size2 dilation, long groups)
    {
        if (input.Dim != 4 || weight.Dim != 4 || input.Size(0) != 1) return false;
        if (input.DType != DType.Float32 || weight.DType != DType.Float32 || bias is { DType: not DType.Float32 }) return false;
        if (input.Device.Type != DeviceType.Cpu || weight.Device.Type != DeviceType.Cpu || bias is { Device.Type: not DeviceType.Cpu }) return false;
        if (groups <= 0 || input.Size(1) != weight.Size(1) * groups || weight.Size(0) % groups != 0 || input.NumberOfElements == 0) return false;
        if (bias is not null && (bias.Dim != 1 || bias.Size(0) != weight.Size(0))) return false;
        long kernelHeight = dilation.Height * (weight.Size(2) - 1) + 1, kernelWidth = dilation.Width * (weight.Size(3) - 1) + 1;
        if (input.Size(2) + 2 * padding.Height < kernelHeight || input.Size(3) + 2 * padding.Width < kernelWidth) return false;
        return OneDnn.Value && !Autocast.IsEnabled(DeviceType.Cpu);
    }

    /// <summary>The convolution through oneDNN (call only when <see cref="Applies"/>).</summary>
    public static Tensor Compute(Tensor input, Tensor weight, Tensor? bias, Size2 stride, Size2 padding, Size2 dilation, long groups)
    {
        var a = new OpArgs();
        return Ops.MkldnnConvolution.Tensor(ref a.T(input).T(weight).OptT(bias).Ints(padding.Height, padding.Width)
            .Ints(stride.Height, stride.Width).Ints(dilation.Height, dilation.Width).I(groups));
    }
}
