using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>
/// Elastic deformation as in the U-Net paper: random displacement vectors on a coarse
/// <see cref="GridSize"/> x <see cref="GridSize"/> grid, drawn from a Gaussian with <see cref="Sigma"/> pixels
/// standard deviation, bicubically interpolated to a per-pixel displacement field. The image is resampled
/// bilinearly and the mask by nearest neighbour, both with mirror padding.
/// </summary>
public sealed class ElasticDeformation : IJointTransform
{
    /// <summary>Deformation with the given displacement scale and coarse grid, applied with probability <paramref name="probability"/>.</summary>
    public ElasticDeformation(double sigma = 10, int gridSize = 3, double probability = 1)
    {
        if (!(sigma >= 0)) throw new ArgumentOutOfRangeException(nameof(sigma));
        ArgumentOutOfRangeException.ThrowIfLessThan(gridSize, 2);
        if (probability is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(probability));
        (Sigma, GridSize, Probability) = (sigma, gridSize, probability);
    }

    /// <summary>Standard deviation of the coarse displacements, in pixels.</summary>
    public double Sigma { get; }

    /// <summary>Points per side of the coarse displacement grid.</summary>
    public int GridSize { get; }

    /// <summary>Chance of deforming a sample.</summary>
    public double Probability { get; }

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        if (!RandomDraw.Chance(generator, Probability)) return (image, mask);
        long height = image.size(1), width = image.size(2);
        using var coarse = randn([1, 2, GridSize, GridSize], ScalarType.Float32, generator.device, generator: generator);
        using var coarseOnImage = coarse.to(image.device);
        using var field = DataFunctional.InterpolateBicubic(coarseOnImage, (height, width), alignCorners: true);
        // Pixels → normalized units: a shift of d pixels is 2d / size.
        using var planes = field.select(0, 0);
        using var fieldX = planes.select(0, 0);
        using var fieldY = planes.select(0, 1);
        using var dx = fieldX.Times(Sigma * 2 / width);
        using var dy = fieldY.Times(Sigma * 2 / height);
        var (x, y) = GridWarp.BaseGrid(height, width, image.device);
        using (x)
        using (y)
        {
            using var sourceX = x.Plus(dx);
            using var sourceY = y.Plus(dy);
            return GridWarp.Sample(image, mask, sourceX, sourceY, maskFill: null);
        }
    }
}
