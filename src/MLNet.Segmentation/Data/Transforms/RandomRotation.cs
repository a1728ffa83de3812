using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>
/// Rotates image and mask about the centre by an angle drawn uniformly from ±<see cref="MaxDegrees"/>.
/// Pixels rotated in from outside are mirrored (when <see cref="MaskFill"/> is null) or set to zero in the
/// image and <see cref="MaskFill"/> (the ignore id) in the mask.
/// </summary>
public sealed class RandomRotation(double maxDegrees, long? maskFill = null) : IJointTransform
{
    /// <summary>Largest rotation in degrees.</summary>
    public double MaxDegrees { get; } = maxDegrees >= 0 ? maxDegrees : throw new ArgumentOutOfRangeException(nameof(maxDegrees));

    /// <summary>Mask value outside the rotated input, or null for mirror padding.</summary>
    public long? MaskFill { get; } = maskFill;

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        double radians = RandomDraw.Uniform(generator, -MaxDegrees, MaxDegrees) * Math.PI / 180;
        long height = image.size(1), width = image.size(2);
        var (x, y) = GridWarp.BaseGrid(height, width, image.device);
        using (x)
        using (y)
        {
            // Inverse rotation in pixel units, expressed in normalized coordinates.
            double cos = Math.Cos(radians), sin = Math.Sin(radians);
            using var xCos = x.Times(cos);
            using var ySin = y.Times(sin * height / width);
            using var sourceX = xCos.Plus(ySin);
            using var xSin = x.Times(-sin * width / height);
            using var yCos = y.Times(cos);
            using var sourceY = xSin.Plus(yCos);
            return GridWarp.Sample(image, mask, sourceX, sourceY, MaskFill);
        }
    }
}
