using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>
/// Crops a random <see cref="Height"/> x <see cref="Width"/> window. Smaller inputs are first padded evenly
/// on both sides: the image with <see cref="ImageFill"/>, the mask with <see cref="MaskFill"/> (the ignore id),
/// so padded pixels do not count in the loss.
/// </summary>
public sealed class RandomCrop : IJointTransform
{
    /// <summary>Crop to <paramref name="height"/> x <paramref name="width"/>, padding masks with <paramref name="maskFill"/>.</summary>
    public RandomCrop(int height, int width, long maskFill, double imageFill = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        (Height, Width, MaskFill, ImageFill) = (height, width, maskFill, imageFill);
    }

    /// <summary>Crop height.</summary>
    public int Height { get; }

    /// <summary>Crop width.</summary>
    public int Width { get; }

    /// <summary>Mask value of padded pixels (normally the ignore id).</summary>
    public long MaskFill { get; }

    /// <summary>Image value of padded pixels.</summary>
    public double ImageFill { get; }

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        long padH = Math.Max(0, Height - image.size(1));
        long padW = Math.Max(0, Width - image.size(2));
        if (padH > 0 || padW > 0)
        {
            long[] padding = [padW / 2, padW - padW / 2, padH / 2, padH - padH / 2];
            image = nn.functional.pad(image, padding, PaddingModes.Constant, ImageFill);
            mask = nn.functional.pad(mask, padding, PaddingModes.Constant, MaskFill);
        }
        var draws = RandomDraw.Uniforms(generator, 2);
        long top = Math.Min(image.size(1) - Height, (long)(draws[0] * (image.size(1) - Height + 1)));
        long left = Math.Min(image.size(2) - Width, (long)(draws[1] * (image.size(2) - Width + 1)));
        return (image.narrow(1, top, Height).narrow(2, left, Width), mask.narrow(0, top, Height).narrow(1, left, Width));
    }
}
