using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Resizes image and mask to a fixed size: the image with <see cref="Mode"/>, the mask by nearest neighbour.</summary>
public sealed class Resize : IJointTransform
{
    /// <summary>Resize to <paramref name="height"/> x <paramref name="width"/>.</summary>
    public Resize(int height, int width, ImageResizeMode mode = ImageResizeMode.Bilinear)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        (Height, Width, Mode) = (height, width, mode);
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <summary>Image interpolation.</summary>
    public ImageResizeMode Mode { get; }

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator) =>
        (ResizeImage(image, Height, Width, Mode), DataFunctional.ResizeNearest(mask, (Height, Width)));

    internal static Tensor ResizeImage(Tensor image, long height, long width, ImageResizeMode mode)
    {
        if (image.size(1) == height && image.size(2) == width) return image.alias();
        using var batch = image.unsqueeze(0);
        using var resized = mode switch
        {
            ImageResizeMode.Bilinear => nn.functional.interpolate(batch, [height, width], mode: InterpolationMode.Bilinear, align_corners: false),
            ImageResizeMode.Area => DataFunctional.InterpolateArea(batch, (height, width)),
            ImageResizeMode.Nearest => nn.functional.interpolate(batch, [height, width], mode: InterpolationMode.Nearest),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown resize mode"),
        };
        return resized.squeeze(0);
    }
}
