using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// A workaround for libtorch 2.10's oneDNN (3.7.1) convolutions on the CPU, as shipped in libtorch-cpu-linux-x64 2.10.0:
/// the backward-data kernels (a convolution's input gradient, and a transposed convolution's forward pass) return wrong
/// values, sometimes NaN, when the channel count they read (the convolution's output channels, the transposed
/// convolution's input channels) is not a multiple of oneDNN's 16-channel block. Measured here: 252 of 480 small
/// convolution shapes gave wrong input gradients, and 84 of 450 stride-1 transposed convolutions wrong outputs; with the
/// channels zero-padded to a multiple of 16, none did. PyTorch 1.13 on the same machine is exact. The padding adds zero
/// channels only, so results are the same sum; it applies on the CPU only and only where a channel count is off the block.
/// </summary>
public static class OneDnnChannelPadding
{
    /// <summary>oneDNN's widest channel block on x86 (16 for AVX-512; AVX2's 8 divides it).</summary>
    public const long Block = 16;

    /// <summary>Turns the workaround off (for A/B runs; results may then be wrong as described above). On by default.</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("MLSEG_ONEDNN_CHANNEL_PADDING") != "0";

    private static long PaddedCount(long channels) => (channels + Block - 1) / Block * Block;

    private static bool OffBlock(Tensor input, long channels, long groups) =>
        Enabled && groups == 1 && channels % Block != 0 && input.device_type == DeviceType.CPU && input.is_floating_point();

    /// <summary>
    /// A 2-D convolution as <c>torch.nn.functional.conv2d</c>; when its input gradient will be computed on the CPU and the
    /// output channels are off the block, the kernel (and bias) get zero output channels up to the block and the output is
    /// cut back, so the input gradient comes from an exact kernel.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1)
    {
        long outChannels = weight.size(0);
        if (!OffBlock(input, outChannels, groups) || !input.requires_grad || !is_grad_enabled())
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        using var scope = NewDisposeScope();
        long extra = PaddedCount(outChannels) - outChannels;
        var paddedWeight = nn.functional.pad(weight, [0, 0, 0, 0, 0, 0, 0, extra]);
        var paddedBias = bias is null ? null : nn.functional.pad(bias, [0, extra]);
        return nn.functional.conv2d(input, paddedWeight, paddedBias, stride, padding, dilation, groups)
            .narrow(1, 0, outChannels).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A 2-D transposed convolution as <c>torch.nn.functional.conv_transpose2d</c>; on the CPU with input channels off the
    /// block, the input and the kernel get zero input channels up to the block.
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] outputPadding,
        long[] dilation, long groups = 1)
    {
        long inChannels = weight.size(0);
        if (!OffBlock(input, inChannels, groups) || input.dim() != 4 || input.size(1) != inChannels)
            return nn.functional.conv_transpose2d(input, weight, bias, stride, padding, outputPadding, dilation, groups);
        using var scope = NewDisposeScope();
        long extra = PaddedCount(inChannels) - inChannels;
        var paddedInput = nn.functional.pad(input, [0, 0, 0, 0, 0, extra]);
        var paddedWeight = nn.functional.pad(weight, [0, 0, 0, 0, 0, 0, 0, extra]);
        return nn.functional.conv_transpose2d(paddedInput, paddedWeight, bias, stride, padding, outputPadding, dilation, groups)
            .MoveToOuterDisposeScope();
    }
}
