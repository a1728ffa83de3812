using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>How <see cref="MirrorPad"/> treats the mask.</summary>
public enum MaskPadding
{
    /// <summary>Mirror the mask like the image.</summary>
    Reflect,
    /// <summary>Pad the mask with the ignore id.</summary>
    Ignore,
    /// <summary>Leave the mask as it is (for valid-convolution networks whose output is the unpadded area).</summary>
    None,
}

/// <summary>
/// Mirror (reflect) padding of the image, as the U-Net paper uses to predict border pixels; each pad must
/// be smaller than the image side it mirrors.
/// </summary>
public sealed class MirrorPad : IJointTransform
{
    /// <summary>Pads by the given amounts; <paramref name="ignoreIndex"/> is needed for <see cref="MaskPadding.Ignore"/>.</summary>
    public MirrorPad(int top, int bottom, int left, int right, MaskPadding maskPadding = MaskPadding.Reflect, long? ignoreIndex = null)
    {
        if (top < 0 || bottom < 0 || left < 0 || right < 0) throw new ArgumentOutOfRangeException(nameof(top), "padding is non-negative");
        if (maskPadding == MaskPadding.Ignore && ignoreIndex is null) throw new ArgumentException("MaskPadding.Ignore needs an ignore index", nameof(ignoreIndex));
        (Top, Bottom, Left, Right, MaskMode, IgnoreIndex) = (top, bottom, left, right, maskPadding, ignoreIndex);
    }

    /// <summary>The same padding on every side.</summary>
    public MirrorPad(int padding, MaskPadding maskPadding = MaskPadding.Reflect, long? ignoreIndex = null)
        : this(padding, padding, padding, padding, maskPadding, ignoreIndex) { }

    /// <summary>Rows added above.</summary>
    public int Top { get; }

    /// <summary>Rows added below.</summary>
    public int Bottom { get; }

    /// <summary>Columns added on the left.</summary>
    public int Left { get; }

    /// <summary>Columns added on the right.</summary>
    public int Right { get; }

    /// <summary>The mask's treatment.</summary>
    public MaskPadding MaskMode { get; }

    /// <summary>The mask fill for <see cref="MaskPadding.Ignore"/>.</summary>
    public long? IgnoreIndex { get; }

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        if (Top >= image.size(1) || Bottom >= image.size(1) || Left >= image.size(2) || Right >= image.size(2))
            throw new ArgumentException($"mirror padding ({Top}, {Bottom}, {Left}, {Right}) must be smaller than the image {image.size(2)}x{image.size(1)}");
        long[] padding = [Left, Right, Top, Bottom];
        var paddedImage = nn.functional.pad(image, padding, PaddingModes.Reflect);
        switch (MaskMode)
        {
            case MaskPadding.None:
                return (paddedImage, mask);
            case MaskPadding.Ignore:
                return (paddedImage, nn.functional.pad(mask, padding, PaddingModes.Constant, IgnoreIndex!.Value));
            default:
                // reflection_pad2d works on floating types on every device; ids below 2^24 are exact.
                using (var asFloat = mask.to_type(ScalarType.Float32))
                using (var planes = asFloat.unsqueeze(0))
                using (var padded = nn.functional.pad(planes, padding, PaddingModes.Reflect))
                using (var plane = padded.squeeze(0))
                    return (paddedImage, plane.to_type(ScalarType.Int64));
        }
    }
}
