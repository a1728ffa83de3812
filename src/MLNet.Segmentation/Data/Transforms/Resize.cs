using MLNet.Segmentation.Engine;

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
        if (image.Size(1) == height && image.Size(2) == width) return image.Alias();
        using var batch = image.Unsqueeze(0);
        using var resized = mode switch
        {
            ImageResizeMode.Bilinear => Functional.Interpolate(batch, (height, width), InterpolationMode.Bilinear),
            ImageResizeMode.Area => DataFunctional.InterpolateArea(batch, (height, width)),
            ImageResizeMode.Nearest => Functional.Interpolate(batch, (height, width), InterpolationMode.Nearest),
            _ => throw new ArgumentOutOfRangeException(nameof(mode), mode, "unknown resize mode"),
        };
        return resized.Squeeze(0);
    }
}
