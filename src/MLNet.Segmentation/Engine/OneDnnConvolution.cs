using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// <c>aten::mkldnn_convolution</c>, oneDNN's float32 CPU convolution, called directly, and the operands it takes:
/// shared by <see cref="SingleImageConvolution"/> and <see cref="PrepackedKernelConvolution"/>, which add their own
/// conditions. Operands libtorch's convolution would reject are left to it, so that its error messages stay the ones
/// users see.
/// </summary>
internal static class OneDnnConvolution
{
    private static readonly Lazy<bool> OneDnn = new(() => LibTorch.OneDnnIsAvailable);

    /// <summary>
    /// Whether the operands are a valid float32 CPU 2-D convolution for oneDNN (4-D input and weight, matching
    /// channels and groups, a bias of one value per output channel, a kernel that fits the padded input), with oneDNN
    /// available and CPU autocast off.
    /// </summary>
    public static bool Accepts(Tensor input, Tensor weight, Tensor? bias, Size2 padding, Size2 dilation, long groups)
    {
        if (input.Dim != 4 || weight.Dim != 4) return false;
        if (input.DType != DType.Float32 || weight.DType != DType.Float32 || bias is { DType: not DType.Float32 }) return false;
        if (input.Device.Type != DeviceType.Cpu || weight.Device.Type != DeviceType.Cpu || bias is { Device.Type: not DeviceType.Cpu }) return false;
        if (groups <= 0 || input.Size(1) != weight.Size(1) * groups || weight.Size(0) % groups != 0 || input.NumberOfElements == 0) return false;
        if (bias is not null && (bias.Dim != 1 || bias.Size(0) != weight.Size(0))) return false;
        long kernelHeight = dilation.Height * (weight.Size(2) - 1) + 1, kernelWidth = dilation.Width * (weight.Size(3) - 1) + 1;
        if (input.Size(2) + 2 * padding.Height < kernelHeight || input.Size(3) + 2 * padding.Width < kernelWidth) return false;
        return OneDnn.Value && !Autocast.IsEnabled(DeviceType.Cpu);
    }

    /// <summary>The convolution through oneDNN (call only when <see cref="Accepts"/>); <paramref name="weight"/> may be a prepacked oneDNN tensor.</summary>
    public static Tensor Run(Tensor input, Tensor weight, Tensor? bias, Size2 stride, Size2 padding, Size2 dilation, long groups)
    {
        var a = new OpArgs();
        return Ops.MkldnnConvolution.Tensor(ref a.T(input).T(weight).OptT(bias).Ints(padding.Height, padding.Width)
            .Ints(stride.Height, stride.Width).Ints(dilation.Height, dilation.Width).I(groups));
    }
}
