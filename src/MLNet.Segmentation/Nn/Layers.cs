using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// Factories for the convolutions the networks use: TorchSharp convolutions (same parameters, names and initialization as
/// <c>nn.Conv2d</c>/<c>nn.ConvTranspose2d</c>) that stay exact on the CPU for any channel count (<see cref="OneDnnChannelPadding"/>).
/// </summary>
public static class Layers
{
    /// <summary>A 2-D convolution with square kernel, stride, padding and dilation (nn.Conv2d's arguments).</summary>
    public static SafeConv2d Conv2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1,
        long groups = 1, bool bias = true)
    {
        Engine.TorchRuntime.EnsureInitialized();
        CheckChannels(inChannels, outChannels, groups);
        return new SafeConv2d(inChannels, outChannels, kernelSize, stride, padding, dilation, groups, bias);
    }

    /// <summary>A 2-D transposed convolution (nn.ConvTranspose2d's arguments).</summary>
    public static SafeConvTranspose2d ConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride = 1, long padding = 0,
        long outputPadding = 0, long dilation = 1, long groups = 1, bool bias = true)
    {
        Engine.TorchRuntime.EnsureInitialized();
        CheckChannels(inChannels, outChannels, groups);
        return new SafeConvTranspose2d(inChannels, outChannels, kernelSize, stride, padding, outputPadding, dilation, groups, bias);
    }

    /// <summary>2-D batch normalization (nn.BatchNorm2d's arguments, affine with running statistics).</summary>
    public static SafeBatchNorm2d BatchNorm2d(long features, double eps = 1e-5, double momentum = 0.1)
    {
        Engine.TorchRuntime.EnsureInitialized();
        if (features <= 0) throw new ArgumentOutOfRangeException(nameof(features), $"the feature count must be positive, got {features}");
        return new SafeBatchNorm2d(features, eps, momentum);
    }

    private static void CheckChannels(long inChannels, long outChannels, long groups)
    {
        if (inChannels <= 0 || outChannels <= 0)
            throw new ArgumentOutOfRangeException(nameof(inChannels), $"channel counts must be positive, got {inChannels} -> {outChannels}");
        if (groups <= 0 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"groups ({groups}) must divide both channel counts ({inChannels}, {outChannels})", nameof(groups));
    }
}
