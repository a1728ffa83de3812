using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>Builds U-Net's basic unit: two 3x3 convolutions, each followed by (BatchNorm and) ReLU.</summary>
internal static class DoubleConv
{
    internal static Sequential Create(long inChannels, long outChannels, bool samePadding, bool batchNorm)
    {
        long pad = samePadding ? 1 : 0;
        var block = nn.Sequential();
        foreach (long cin in new[] { inChannels, outChannels })
        {
            block.append(Layers.Conv2d(cin, outChannels, 3, padding: pad, bias: !batchNorm));
            if (batchNorm) block.append(Layers.BatchNorm2d(outChannels));
            block.append(nn.ReLU(inplace: true));
        }
        return block;
    }
}

/// <summary>
/// U-Net's contracting path: levels "0".."Depth", each a double convolution; levels after the first start with 2x2
/// max pooling. Shared with <see cref="ConvAutoencoder"/>, so a pre-trained autoencoder encoder initializes a U-Net.
/// </summary>
public sealed class UNetEncoder : nn.Module<Tensor, Tensor>
{
    private readonly List<Sequential> _levels = new();

    /// <summary>An encoder of <paramref name="depth"/> poolings starting at <paramref name="baseWidth"/> channels.</summary>
    public UNetEncoder(long inChannels, int depth, long baseWidth, bool samePadding, bool batchNorm) : base(nameof(UNetEncoder))
    {
        long cin = inChannels;
        for (int level = 0; level <= depth; level++)
        {
            long width = baseWidth << level;
            var block = DoubleConv.Create(cin, width, samePadding, batchNorm);
            register_module(level.ToString(System.Globalization.CultureInfo.InvariantCulture), block);
            _levels.Add(block);
            cin = width;
        }
        Depth = depth;
        OutChannels = cin;
    }

    /// <summary>Number of poolings.</summary>
    public int Depth { get; }

    /// <summary>Channels of the deepest level.</summary>
    public long OutChannels { get; }

    /// <summary>The deepest features.</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        return ForwardLevels(input)[^1].MoveToOuterDisposeScope();
    }

    /// <summary>The output of every level, shallowest first (the skip connections and, last, the bottleneck).</summary>
    public IReadOnlyList<Tensor> ForwardLevels(Tensor input)
    {
        using var scope = NewDisposeScope();
        var outputs = new List<Tensor>(_levels.Count);
        var x = input;
        for (int level = 0; level < _levels.Count; level++)
        {
            var pooled = level > 0 ? nn.functional.max_pool2d(x, 2) : x;
            x = _levels[level].call(pooled);
            outputs.Add(x);
        }
        foreach (var output in outputs) output.MoveToOuterDisposeScope();
        return outputs;
    }
}

/// <summary>One decoder level: "up" doubles the resolution and halves the channels, "conv" is a double convolution.</summary>
public sealed class UNetUpBlock : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> up;
    private readonly Sequential conv;

    /// <summary>A level from <paramref name="inChannels"/> to inChannels / 2 channels; with skips the double convolution sees both halves.</summary>
    public UNetUpBlock(long inChannels, UNetUpsampling upsampling, bool samePadding, bool batchNorm, bool withSkip) : base(nameof(UNetUpBlock))
    {
        long half = inChannels / 2;
        up = upsampling == UNetUpsampling.TransposedConv
            ? Layers.ConvTranspose2d(inChannels, half, 2, stride: 2)
            : nn.Sequential(new Upsample2d(2, Upsample2dMode.Bilinear), Layers.Conv2d(inChannels, half, 1));
        conv = DoubleConv.Create(withSkip ? inChannels : half, half, samePadding, batchNorm);
        OutChannels = half;
        RegisterComponents();
    }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Upsampling and double convolution without a skip connection (the autoencoder's decoder).</summary>
    public Tensor ForwardWithoutSkip(Tensor input)
    {
        using var scope = NewDisposeScope();
        return conv.call(up.call(input)).MoveToOuterDisposeScope();
    }

    /// <summary>Upsamples, concatenates [skip center-cropped to the same size, upsampled] and applies the double convolution.</summary>
    public override Tensor forward(Tensor input, Tensor skip)
    {
        using var scope = NewDisposeScope();
        var upsampled = up.call(input);
        var cropped = skip.size(2) == upsampled.size(2) && skip.size(3) == upsampled.size(3)
            ? skip : SpatialFit.CenterCrop(skip, upsampled.size(2), upsampled.size(3));
        return conv.call(cat([cropped, upsampled], 1)).MoveToOuterDisposeScope();
    }
}
