namespace MLNet.Segmentation.Models;

/// <summary>Options of <see cref="SegNet"/> (defaults: VGG-16-BN encoder at full width).</summary>
public sealed record SegNetOptions
{
    /// <summary>Image channels.</summary>
    public long InChannels { get; init; } = 3;

    /// <summary>Divides every VGG width (1 = the original).</summary>
    public int WidthDivisor { get; init; } = 1;

    /// <summary>BatchNorm after every convolution of encoder and decoder (as the paper).</summary>
    public bool BatchNorm { get; init; } = true;
}
