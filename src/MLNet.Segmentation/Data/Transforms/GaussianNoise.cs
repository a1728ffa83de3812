using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Adds zero-mean Gaussian noise of standard deviation <see cref="StdDev"/> to the image (not the mask).</summary>
public sealed class GaussianNoise(double stdDev = 0.03, bool clampToUnitRange = true) : IJointTransform
{
    /// <summary>Noise standard deviation (in image units, e.g. 0.03 of the [0, 1] range).</summary>
    public double StdDev { get; } = stdDev >= 0 ? stdDev : throw new ArgumentOutOfRangeException(nameof(stdDev));

    /// <summary>Whether the result is clamped to [0, 1].</summary>
    public bool ClampToUnitRange { get; } = clampToUnitRange;

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        using var noise = randn(image.shape, image.dtype, generator.device, generator: generator);
        using var onDevice = noise.to(image.device);
        var result = image.PlusScaled(onDevice, StdDev);
        return (ClampToUnitRange ? result.ClampInPlace(0, 1) : result, mask);
    }
}
