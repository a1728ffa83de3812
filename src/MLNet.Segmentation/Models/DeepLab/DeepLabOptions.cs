using MLNet.Segmentation.Models.Backbones;

namespace MLNet.Segmentation.Models;

/// <summary>Options of <see cref="DeepLabV3"/> (defaults: ResNet-50, output stride 16, ASPP rates 6/12/18, 256 channels).</summary>
public record DeepLabV3Options
{
    /// <summary>Image channels.</summary>
    public long InChannels { get; init; } = 3;

    /// <summary>The ResNet backbone.</summary>
    public ResNetDepth Backbone { get; init; } = ResNetDepth.ResNet50;

    /// <summary>ResNet width (64 in the original).</summary>
    public long BackboneWidth { get; init; } = 64;

    /// <summary>Output stride of the backbone: 8 or 16 (via dilation).</summary>
    public int OutputStride { get; init; } = 16;

    /// <summary>ASPP atrous rates; null picks the paper's: 6/12/18 at output stride 16, 12/24/36 at 8.</summary>
    public IReadOnlyList<int>? AsppRates { get; init; }

    /// <summary>Channels of the ASPP branches and of the head.</summary>
    public long AsppChannels { get; init; } = 256;

    /// <summary>Whether ASPP has the image-level pooling branch.</summary>
    public bool ImagePooling { get; init; } = true;

    /// <summary>Dropout after the ASPP projection (training only).</summary>
    public double Dropout { get; init; } = 0.5;

    /// <summary>The rates in effect.</summary>
    public IReadOnlyList<int> EffectiveRates => AsppRates ?? (OutputStride == 8 ? [12, 24, 36] : [6, 12, 18]);

    internal ResNetOptions ResNet => new()
    {
        Depth = Backbone, InChannels = InChannels, Width = BackboneWidth, OutputStride = OutputStride,
    };

    internal void Validate()
    {
        if (OutputStride is not (8 or 16)) throw new ArgumentOutOfRangeException(nameof(OutputStride), OutputStride, "DeepLab's output stride is 8 or 16");
        if (AsppChannels <= 0) throw new ArgumentOutOfRangeException(nameof(AsppChannels), AsppChannels, "ASPP channels must be positive");
    }
}

/// <summary>Options of <see cref="DeepLabV3Plus"/>: those of v3 plus the decoder's widths.</summary>
public sealed record DeepLabV3PlusOptions : DeepLabV3Options
{
    /// <summary>Channels the low-level (layer1) features are projected to (48 in the paper).</summary>
    public long LowLevelChannels { get; init; } = 48;

    /// <summary>Channels of the decoder's two 3x3 convolutions.</summary>
    public long DecoderChannels { get; init; } = 256;
}
