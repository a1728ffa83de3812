using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// TorchSharp's 2-D convolution (a <see cref="Convolution"/>: same "weight"/"bias" parameters, initialization and device
/// handling as <c>nn.Conv2d</c>) whose forward goes through <see cref="OneDnnChannelPadding.Conv2d"/>, so its output and
/// gradients are exact for any channel count on the CPU, and through <see cref="ReachableTapConvolution"/> where its
/// kernel mostly reads padding. Make one with <see cref="Layers.Conv2d"/>.
/// </summary>
public sealed class SafeConv2d : Convolution
{
    internal SafeConv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long dilation, long groups, bool bias)
        : base("Conv2d", inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [padding, padding], null,
            [dilation, dilation], false, [0, 0], groups, bias, PaddingModes.Zeros)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        if (!ValidateShape(input, 2))
            throw new ArgumentException($"Conv2d expects N x {in_channels} x H x W (or {in_channels} x H x W) input, got {Engine.TensorData.ShapeOf(input)}", nameof(input));
        if (ReachableTapConvolution.Applies(input, weight, stride, padding!, dilation, groups))
            return ReachableTapConvolution.Conv2d(input, weight, bias, padding!, dilation);
        return OneDnnChannelPadding.Conv2d(input, weight, bias, stride, padding!, dilation, groups);
    }
}

/// <summary>
/// TorchSharp's 2-D transposed convolution (a <see cref="ConvolutionTranspose"/>, parameters as <c>nn.ConvTranspose2d</c>)
/// whose forward goes through <see cref="OneDnnChannelPadding.ConvTranspose2d"/>. Make one with <see cref="Layers.ConvTranspose2d"/>.
/// </summary>
public sealed class SafeConvTranspose2d : ConvolutionTranspose
{
    internal SafeConvTranspose2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, long outputPadding,
        long dilation, long groups, bool bias)
        : base("ConvTranspose2d", inChannels, outChannels, [kernelSize, kernelSize], [stride, stride], [padding, padding], null,
            [dilation, dilation], true, [outputPadding, outputPadding], groups, bias, PaddingModes.Zeros)
    {
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input, long[]? output_size)
    {
        if (!ValidateShape(input, 2))
            throw new ArgumentException($"ConvTranspose2d expects N x {in_channels} x H x W (or {in_channels} x H x W) input, got {Engine.TensorData.ShapeOf(input)}", nameof(input));
        var outputPadding = _output_padding(input, output_size, kernel_size, stride, padding!, dilation, 2);
        if (outputPadding.Length == 1) outputPadding = [outputPadding[0], outputPadding[0]];
        return OneDnnChannelPadding.ConvTranspose2d(input, weight, bias, stride, padding!, outputPadding, dilation, groups);
    }
}
