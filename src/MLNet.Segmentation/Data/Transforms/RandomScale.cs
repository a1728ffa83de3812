using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Rescales image and mask by a factor drawn uniformly from [<see cref="MinScale"/>, <see cref="MaxScale"/>].</summary>
public sealed class RandomScale : IJointTransform
{
    /// <summary>Scale factors from <paramref name="minScale"/> to <paramref name="maxScale"/>.</summary>
    public RandomScale(double minScale, double maxScale, ImageResizeMode mode = ImageResizeMode.Bilinear)
    {
        if (!(minScale > 0) || !(maxScale >= minScale)) throw new ArgumentOutOfRangeException(nameof(minScale), "need 0 < minScale <= maxScale");
        (MinScale, MaxScale, Mode) = (minScale, maxScale, mode);
    }

    /// <summary>Smallest factor.</summary>
    public double MinScale { get; }

    /// <summary>Largest factor.</summary>
    public double MaxScale { get; }

    /// <summary>Image interpolation (masks: nearest).</summary>
    public ImageResizeMode Mode { get; }

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        double scale = RandomDraw.Uniform(generator, MinScale, MaxScale);
        long height = Math.Max(1, (long)Math.Round(image.size(1) * scale));
        long width = Math.Max(1, (long)Math.Round(image.size(2) * scale));
        return (Resize.ResizeImage(image, height, width, Mode), DataFunctional.ResizeNearest(mask, (height, width)));
    }
}
