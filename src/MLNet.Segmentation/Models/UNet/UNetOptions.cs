namespace MLNet.Segmentation.Models;

/// <summary>How U-Net's convolutions treat borders.</summary>
public enum UNetPadding
{
    /// <summary>3x3 convolutions padded by 1: feature maps keep their size (the common modern variant).</summary>
    Same,
    /// <summary>Unpadded convolutions as in the original paper: the input is mirror-padded and skips are center-cropped.</summary>
    Valid,
}

/// <summary>How U-Net's decoder upsamples.</summary>
public enum UNetUpsampling
{
    /// <summary>A learned 2x2 transposed convolution with stride 2 (the paper's "up-convolution").</summary>
    TransposedConv,
    /// <summary>Bilinear upsampling followed by a 1x1 convolution that halves the channels.</summary>
    Bilinear,
}

/// <summary>Options of <see cref="UNet"/> (defaults: the paper's depth 4 and width 64, with 'same' padding and BatchNorm).</summary>
public sealed record UNetOptions
{
    /// <summary>Image channels.</summary>
    public long InChannels { get; init; } = 3;

    /// <summary>Number of poolings (the encoder has Depth + 1 levels).</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Channels of the first level; each level doubles them.</summary>
    public long BaseWidth { get; init; } = 64;

    /// <summary>Border handling.</summary>
    public UNetPadding Padding { get; init; } = UNetPadding.Same;

    /// <summary>Decoder upsampling.</summary>
    public UNetUpsampling Upsampling { get; init; } = UNetUpsampling.TransposedConv;

    /// <summary>BatchNorm after every 3x3 convolution (convolutions then have no bias).</summary>
    public bool BatchNorm { get; init; } = true;

    internal void Validate()
    {
        if (Depth is < 1 or > 8) throw new ArgumentOutOfRangeException(nameof(Depth), Depth, "depth must be between 1 and 8");
        if (BaseWidth < 2 || BaseWidth % 2 != 0) throw new ArgumentOutOfRangeException(nameof(BaseWidth), BaseWidth, "base width must be even and at least 2");
        if (InChannels <= 0) throw new ArgumentOutOfRangeException(nameof(InChannels), InChannels, "input channels must be positive");
    }
}
