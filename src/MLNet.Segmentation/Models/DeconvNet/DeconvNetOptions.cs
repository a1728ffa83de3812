namespace MLNet.Segmentation.Models;

/// <summary>Options of <see cref="DeconvNet"/>.</summary>
public sealed record DeconvNetOptions
{
    /// <summary>Image channels.</summary>
    public long InChannels { get; init; } = 3;

    /// <summary>Divides every VGG width (1 = the original).</summary>
    public int WidthDivisor { get; init; } = 1;

    /// <summary>Channels of fc6/fc7 (4096 in the paper).</summary>
    public long FullyConvolutionalWidth { get; init; } = 4096;

    /// <summary>BatchNorm after every (de)convolution (the paper's training recipe).</summary>
    public bool BatchNorm { get; init; } = true;
}
