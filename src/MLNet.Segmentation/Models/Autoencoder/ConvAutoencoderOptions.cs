namespace MLNet.Segmentation.Models;

/// <summary>
/// Options of <see cref="ConvAutoencoder"/>. Depth, width, BatchNorm and channels that match a <see cref="UNetOptions"/>
/// (with 'same' padding) make the autoencoder's encoder loadable into that U-Net.
/// </summary>
public sealed record ConvAutoencoderOptions
{
    /// <summary>Image channels (reconstructed channels too).</summary>
    public long InChannels { get; init; } = 3;

    /// <summary>Number of poolings.</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Channels of the first level; each level doubles them.</summary>
    public long BaseWidth { get; init; } = 64;

    /// <summary>BatchNorm after every 3x3 convolution.</summary>
    public bool BatchNorm { get; init; } = true;

    /// <summary>The U-Net options whose encoder has the same structure (for pre-training then fine-tuning).</summary>
    public UNetOptions MatchingUNet => new()
    {
        InChannels = InChannels, Depth = Depth, BaseWidth = BaseWidth, BatchNorm = BatchNorm, Padding = UNetPadding.Same,
    };
}
