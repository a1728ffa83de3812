using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// A workaround for libtorch 2.10's oneDNN (3.7.1) convolutions on the CPU, as shipped in libtorch-cpu-linux-x64 2.10.0:
/// on this machine (AVX-512, bfloat16 instructions) its kernels return wrong values, sometimes NaN, for channel counts
/// off its blocks. Measured in float32, against float64: (1) the backward-data kernel (a convolution's input gradient, a
/// transposed convolution's forward pass) when the channel count it reads (the convolution's output channels) is not a
/// multiple of 16 — 252 of 480 small convolution shapes gave wrong input gradients, 84 of 450 stride-1 transposed
/// convolutions wrong outputs; (2) the forward kernel of spatial convolutions when the input channels are above 16 and
/// not a multiple of 16 (17..31, 33..47, ...; kernels of 3 and more, any stride and dilation); (3) the strided
/// backward-data kernel when the channel count it writes (the convolution's input channels) is above 32 and 1..16 past a
/// multiple of 32 (33..48, 65..80, ...). In bfloat16 (autocast) every count off the 16-block, on either side, can be
/// wrong too. With the channels zero-padded to those blocks, none was (2,592 layer shapes, in float32 and in bfloat16:
/// outputs, the three gradients, and outputs without gradients). PyTorch 1.13 on the same machine is exact. The padding adds zero channels only, so results are the same sums; it applies on
/// the CPU only, to ungrouped floating-point convolutions, and only to counts off a block (in float32 an input of fewer
/// than 16 channels, e.g. an RGB stem, is left as it is).
/// <para>Separately, (4) the strided 1x1 backward-data kernel (brgemm_convolution_bwd_strided) divides by zero while
/// choosing its blocking, and the SIGFPE kills the process, for 512 -> 1024 and 1024 -> 2048 channels at stride 2 (every
/// size probed from 8 x 8 up; only a single 4 x 4 image passed): ResNet-50's downsampling in DeepLab training, in our
/// networks and in plain TorchSharp alike. A 1x1 convolution without padding reads every stride-th pixel, so on the CPU, when the input gradient will be
/// computed, it runs as the same convolution with stride 1 on input[..., ::stride, ::stride]: the same sums, and an
/// unstrided backward-data kernel.</para>
/// <para>(5) oneDNN's channels-last 1x1 kernels divide by zero in forward passes as well: 256 -> 1024, 512 -> 1024 and
/// 1024 -> 2048 channels, stride 1 or 2, batches of 1 and 8 (64 -> 256 and 256 -> 512 passed): a channels-last CPU input, which only
/// TorchScript can make in TorchSharp 0.107, is made contiguous first. Neither is switched by <see cref="Enabled"/>.</para>
/// </summary>
public static class OneDnnChannelPadding
{
    /// <summary>oneDNN's widest channel block on x86 (16 for AVX-512; AVX2's 8 divides it).</summary>
    public const long Block = 16;

    /// <summary>Turns the workaround off (for A/B runs; results may then be wrong as described above). On by default.</summary>
    public static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("MLSEG_ONEDNN_CHANNEL_PADDING") != "0";

    private static bool Applies(Tensor input, long groups) =>
        Enabled && groups == 1 && input.device_type == DeviceType.CPU && input.is_floating_point() && input.dim() is 3 or 4;

    private static long RoundUp(long channels, long block) => (channels + block - 1) / block * block;

    private static bool InputGradientNeeded(Tensor input) => input.requires_grad && is_grad_enabled();

    private static bool Strided(long[] stride) => stride.Any(s => s > 1);

    /// <summary>The count a strided backward-data kernel may write: above 32, a multiple of 32.</summary>
    private static long Written(long channels) => channels > 2 * Block ? RoundUp(channels, 2 * Block) : channels;

    /// <summary>
    /// A 2-D convolution as <c>torch.nn.functional.conv2d</c>, with the channels zero-padded where oneDNN would read or
    /// write them wrongly (input channels above 16 always, output channels when the input gradient will be computed,
    /// every off-block count in bfloat16); the output is cut back to the real channels. A strided 1x1 convolution whose
    /// input gradient will be computed on the CPU runs with stride 1 on the subsampled input (4).
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] dilation, long groups = 1)
    {
        if (OtherLayoutOnCpu(input))
        {
            using var relayout = NewDisposeScope();
            return Conv2d(input.contiguous(), weight, bias, stride, padding, dilation, groups).MoveToOuterDisposeScope();
        }
        if (StridedPointwiseWithInputGradient(input, weight, stride, padding))
        {
            using var subsampling = NewDisposeScope();
            var subsampled = input.slice(-2, 0, input.size(-2), stride[0]).slice(-1, 0, input.size(-1), stride[^1]);
            return Conv2d(subsampled, weight, bias, [1, 1], padding, dilation, groups).MoveToOuterDisposeScope();
        }
        long outChannels = weight.size(0), inChannels = weight.size(1);
        // Anything but a batch (or one image) of inChannels channels goes to libtorch untouched; its error names the shapes.
        if (!Applies(input, groups) || input.size(-3) != inChannels)
            return nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        bool bfloat16 = Autocast.CpuComputesInBFloat16(input), gradient = InputGradientNeeded(input);
        long inTarget = bfloat16 || inChannels > Block ? RoundUp(inChannels, Block) : inChannels;
        if (gradient && Strided(stride)) inTarget = Math.Max(inTarget, Written(inChannels));
        long outTarget = bfloat16 || gradient ? RoundUp(outChannels, Block) : outChannels;
        if (inTarget == inChannels && outTarget == outChannels) return nn.functional.conv2d(input, weight, bias, stride, padding, dilation, groups);
        using var scope = NewDisposeScope();
        long extraIn = inTarget - inChannels, extraOut = outTarget - outChannels;
        var paddedInput = extraIn == 0 ? input : nn.functional.pad(input, [0, 0, 0, 0, 0, extraIn]);
        var paddedWeight = nn.functional.pad(weight, [0, 0, 0, 0, 0, extraIn, 0, extraOut]);
        var paddedBias = bias is null || extraOut == 0 ? bias : nn.functional.pad(bias, [0, extraOut]);
        var output = nn.functional.conv2d(paddedInput, paddedWeight, paddedBias, stride, padding, dilation, groups);
        return (extraOut == 0 ? output : output.narrow(-3, 0, outChannels)).MoveToOuterDisposeScope();
    }

    // (5): a channels-last (or otherwise permuted) CPU input is made contiguous first, as every input the library makes
    // already is. Views that are only cut (narrowed, subsampled) keep the contiguous order and are left to libtorch.
    private static bool OtherLayoutOnCpu(Tensor input) =>
        input.device_type == DeviceType.CPU && input.dim() == 4 && !input.is_contiguous() && !KeepsContiguousOrder(input);

    private static bool KeepsContiguousOrder(Tensor input)
    {
        var strides = input.stride();
        var sizes = input.shape;
        for (int i = 0; i + 1 < strides.Length; i++)
            if (sizes[i] > 1 && sizes[i + 1] > 1 && strides[i] < strides[i + 1]) return false;
        return true;
    }

    // (4): a 1x1 kernel without padding, strided, on a CPU batch (or image) whose input gradient will be computed.
    private static bool StridedPointwiseWithInputGradient(Tensor input, Tensor weight, long[] stride, long[] padding) =>
        input.device_type == DeviceType.CPU && input.dim() is 3 or 4 && weight.dim() == 4 && weight.size(2) == 1 && weight.size(3) == 1
        && stride.Length is 1 or 2 && Strided(stride) && padding.All(p => p == 0) && InputGradientNeeded(input);

    /// <summary>
    /// A 2-D transposed convolution as <c>torch.nn.functional.conv_transpose2d</c>, with the channels zero-padded where
    /// oneDNN would read or write them wrongly (input channels off the block always, output channels above 32 when
    /// strided, above 16 when the input gradient will be computed, every off-block count in bfloat16).
    /// </summary>
    public static Tensor ConvTranspose2d(Tensor input, Tensor weight, Tensor? bias, long[] stride, long[] padding, long[] outputPadding,
        long[] dilation, long groups = 1)
    {
        if (OtherLayoutOnCpu(input))
        {
            using var relayout = NewDisposeScope();
            return ConvTranspose2d(input.contiguous(), weight, bias, stride, padding, outputPadding, dilation, groups).MoveToOuterDisposeScope();
        }
        long inChannels = weight.size(0), outChannels = weight.size(1);
        if (!Applies(input, groups) || input.size(-3) != inChannels)
            return nn.functional.conv_transpose2d(input, weight, bias, stride, padding, outputPadding, dilation, groups);
        bool bfloat16 = Autocast.CpuComputesInBFloat16(input), gradient = InputGradientNeeded(input);
        long inTarget = RoundUp(inChannels, Block);
        long outTarget = bfloat16 || (gradient && outChannels > Block) ? RoundUp(outChannels, Block) : outChannels;
        if (Strided(stride)) outTarget = Math.Max(outTarget, Written(outChannels));
        if (inTarget == inChannels && outTarget == outChannels)
            return nn.functional.conv_transpose2d(input, weight, bias, stride, padding, outputPadding, dilation, groups);
        using var scope = NewDisposeScope();
        long extraIn = inTarget - inChannels, extraOut = outTarget - outChannels;
        var paddedInput = extraIn == 0 ? input : nn.functional.pad(input, [0, 0, 0, 0, 0, extraIn]);
        var paddedWeight = nn.functional.pad(weight, [0, 0, 0, 0, 0, extraOut, 0, extraIn]);
        var paddedBias = bias is null || extraOut == 0 ? bias : nn.functional.pad(bias, [0, extraOut]);
        var output = nn.functional.conv_transpose2d(paddedInput, paddedWeight, paddedBias, stride, padding, outputPadding, dilation, groups);
        return (extraOut == 0 ? output : output.narrow(-3, 0, outChannels)).MoveToOuterDisposeScope();
    }
}
