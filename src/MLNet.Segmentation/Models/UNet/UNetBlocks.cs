using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models;

/// <summary>Builds U-Net's basic unit: two 3x3 convolutions, each followed by (BatchNorm and) ReLU.</summary>
internal static class DoubleConv
{
    internal static Sequential Create(long inChannels, long outChannels, bool samePadding, bool batchNorm, Generator? generator)
    {
        long pad = samePadding ? 1 : 0;
        var block = new Sequential();
        foreach (long cin in new[] { inChannels, outChannels })
        {
            block.Add(new Conv2d(cin, outChannels, 3, padding: pad, bias: !batchNorm, generator: generator));
            if (batchNorm) block.Add(new BatchNorm2d(outChannels));
            block.Add(new ReLU(inPlace: true));
        }
        return block;
    }
}

/// <summary>
/// U-Net's contracting path: levels "0".."Depth", each a double convolution; levels after the first start with 2x2
/// max pooling. Shared with <see cref="ConvAutoencoder"/>, so a pre-trained autoencoder encoder initializes a U-Net.
/// </summary>
public sealed class UNetEncoder : Module
{
    private readonly List<Module> _levels = new();

    /// <summary>An encoder of <paramref name="depth"/> poolings starting at <paramref name="baseWidth"/> channels.</summary>
    public UNetEncoder(long inChannels, int depth, long baseWidth, bool samePadding, bool batchNorm, Generator? generator = null)
    {
        long cin = inChannels;
        for (int level = 0; level <= depth; level++)
        {
            long width = baseWidth << level;
            _levels.Add(RegisterModule(level.ToString(System.Globalization.CultureInfo.InvariantCulture),
                DoubleConv.Create(cin, width, samePadding, batchNorm, generator)));
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
    public override Tensor Forward(Tensor input) => ForwardLevels(input)[^1];

    /// <summary>The output of every level, shallowest first (the skip connections and, last, the bottleneck).</summary>
    public IReadOnlyList<Tensor> ForwardLevels(Tensor input)
    {
        var outputs = new List<Tensor>(_levels.Count);
        var x = input;
        for (int level = 0; level < _levels.Count; level++)
        {
            var pooled = level > 0 ? Functional.MaxPool2d(x, 2) : x;
            x = _levels[level].Forward(pooled);
            if (level > 0) Intermediate.Release(pooled, x);
            outputs.Add(x);
        }
        return outputs;
    }
}

/// <summary>One decoder level: "up" doubles the resolution and halves the channels, "conv" is a double convolution.</summary>
public sealed class UNetUpBlock : Module
{
    /// <summary>A level from <paramref name="inChannels"/> to inChannels / 2 channels; with skips the double convolution sees both halves.</summary>
    public UNetUpBlock(long inChannels, UNetUpsampling upsampling, bool samePadding, bool batchNorm, bool withSkip, Generator? generator = null)
    {
        long half = inChannels / 2;
        Module up = upsampling == UNetUpsampling.TransposedConv
            ? new ConvTranspose2d(inChannels, half, 2, 2, generator: generator)
            : new Sequential(new Upsample(2, UpsampleMode.Bilinear), new Conv2d(inChannels, half, 1, generator: generator));
        RegisterModule("up", up);
        RegisterModule("conv", DoubleConv.Create(withSkip ? inChannels : half, half, samePadding, batchNorm, generator));
        OutChannels = half;
    }

    /// <summary>Output channels.</summary>
    public long OutChannels { get; }

    /// <summary>Upsampling and double convolution without a skip connection (the autoencoder's decoder).</summary>
    public override Tensor Forward(Tensor input) => Child("conv").Forward(Child("up").Forward(input));

    /// <summary>Upsamples, concatenates [skip center-cropped to the same size, upsampled] and applies the double convolution.</summary>
    public Tensor Forward(Tensor input, Tensor skip)
    {
        var up = Child("up").Forward(input);
        var cropped = skip.Size(2) == up.Size(2) && skip.Size(3) == up.Size(3) ? skip : SpatialFit.CenterCrop(skip, up.Size(2), up.Size(3));
        var joined = Tensor.Cat([cropped, up], 1);
        Intermediate.Release(up, input);
        Intermediate.Release(cropped, skip);
        var output = Child("conv").Forward(joined);
        Intermediate.Release(joined, output);
        return output;
    }
}
