namespace MLNet.Segmentation.Models;

/// <summary>The three FCN variants: how many pooling skips are fused before the final upsampling.</summary>
public enum FcnVariant
{
    /// <summary>Scores of pool5 upsampled 32x.</summary>
    Fcn32s,
    /// <summary>Fused with pool4, upsampled 16x.</summary>
    Fcn16s,
    /// <summary>Fused with pool4 and pool3, upsampled 8x.</summary>
    Fcn8s,
}

/// <summary>Options of <see cref="Fcn"/>.</summary>
public sealed record FcnOptions
{
    /// <summary>The variant.</summary>
    public FcnVariant Variant { get; init; } = FcnVariant.Fcn8s;

    /// <summary>Image channels.</summary>
    public long InChannels { get; init; } = 3;

    /// <summary>Divides every VGG width (1 = the original; larger for quick tests).</summary>
    public int WidthDivisor { get; init; } = 1;

    /// <summary>Channels of the convolutionalized fully connected layers conv6/conv7 (4096 in the paper).</summary>
    public long FullyConvolutionalWidth { get; init; } = 4096;

    /// <summary>BatchNorm in the VGG backbone (vgg16_bn); the paper has none.</summary>
    public bool BackboneBatchNorm { get; init; }

    /// <summary>Dropout after conv6 and conv7 (training only).</summary>
    public double Dropout { get; init; } = 0.5;
}
