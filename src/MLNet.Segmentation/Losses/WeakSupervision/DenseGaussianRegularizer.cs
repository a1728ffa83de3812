using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>Options of <see cref="DenseGaussianRegularizer"/>.</summary>
public sealed record DenseGaussianRegularizerOptions
{
    /// <summary>Overall weight lambda (default 1).</summary>
    public double Lambda { get; init; } = 1;

    /// <summary>Intensity scale sigma, in the image's units (default 0.1, for images scaled to [0, 1]).</summary>
    public double Sigma { get; init; } = 0.1;

    /// <summary>Spatial scale in original-image pixels (default 20); null for a purely intensity-based kernel.</summary>
    public double? SpatialSigma { get; init; } = 20;

    /// <summary>Side of the square cells averaged into one grid node (default 4); the grid has (H/f) x (W/f) nodes.</summary>
    public int DownsampleFactor { get; init; } = 4;

    /// <summary>Reduction of the sum over pairs (default: divided by the number of grid nodes in the batch).</summary>
    public RegularizerReduction Reduction { get; init; } = RegularizerReduction.MeanPerPixel;
}

/// <summary>
/// Dense (fully connected) Gaussian variant of <see cref="PairwiseRegularizer"/> on a downsampled grid: probabilities
/// and image are average-pooled over f x f cells, and every unordered pair of grid nodes {p, q} contributes
/// w_pq ||s_p - s_q||^2 with w_pq = lambda exp(-||I_p - I_q||^2 / (2 sigma^2) - ||x_p - x_q||^2 / (2 sigma_xy^2)),
/// x being the cell centres in original pixels. Memory grows with the square of the node count, so keep the grid small.
/// </summary>
public sealed class DenseGaussianRegularizer(DenseGaussianRegularizerOptions? options = null) : ImageRegularizer(nameof(DenseGaussianRegularizer))
{
    /// <summary>The options in use.</summary>
    public DenseGaussianRegularizerOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public override Tensor forward(Tensor logits, Tensor image)
    {
        RegularizerInputs.Validate(logits, image, nameof(DenseGaussianRegularizer));
        if (!(Options.Sigma > 0)) throw new ArgumentOutOfRangeException(nameof(Options.Sigma), Options.Sigma, "Sigma must be positive");
        if (Options.SpatialSigma is double ss && !(ss > 0)) throw new ArgumentOutOfRangeException(nameof(Options.SpatialSigma), ss, "SpatialSigma must be positive");
        int f = Options.DownsampleFactor;
        if (f < 1 || f > logits.size(2) || f > logits.size(3))
            throw new ArgumentOutOfRangeException(nameof(Options.DownsampleFactor), f, "DownsampleFactor must be between 1 and the image size");

        using var scope = NewDisposeScope();
        long n = logits.size(0), classes = logits.size(1);
        long[] cell = [f, f];
        var probabilities = nn.functional.avg_pool2d(nn.functional.softmax(logits, 1), cell);             // N x K x h x w
        var intensities = nn.functional.avg_pool2d(image.detach().to(logits.dtype, logits.device), cell); // N x C x h x w
        long h = probabilities.size(2), w = probabilities.size(3), nodes = h * w;

        var features = intensities.DividedBy(Options.Sigma).reshape(n, intensities.size(1), nodes).transpose(1, 2); // N x M x C
        if (Options.SpatialSigma is double spatial)
            features = cat([features, CellCentres(h, w, f, spatial, logits).unsqueeze(0).expand(n, nodes, 2)], 2);
        var squaredNorms = (features * features).sum(dim: 2, keepdim: true);                              // N x M x 1
        var squaredDistances = (squaredNorms.Plus(squaredNorms.transpose(1, 2)) - features.matmul(features.transpose(1, 2)).Times(2.0)).ClampMin(0);
        var kernel = squaredDistances.Times(-0.5).exp();                                                    // N x M x M

        var s = probabilities.reshape(n, classes, nodes).transpose(1, 2);                                // N x M x K
        var degree = kernel.sum(dim: 2);                                                                 // N x M
        var selfTerm = (degree * (s * s).sum(dim: 2)).sum();
        var crossTerm = (s * kernel.matmul(s)).sum();
        // sum over unordered pairs = (1/2) sum_{p,q} k_pq (|s_p|^2 + |s_q|^2 - 2 s_p.s_q) = selfTerm - crossTerm.
        var total = (selfTerm - crossTerm).Times(Options.Lambda);
        if (Options.Reduction == RegularizerReduction.MeanPerPixel) total = total.DividedBy(n * nodes);
        return total.MoveToOuterDisposeScope();
    }

    // Cell centres (y, x) in original pixels divided by the spatial sigma: M x 2.
    private static Tensor CellCentres(long h, long w, int f, double spatialSigma, Tensor like)
    {
        var centres = new double[h * w * 2];
        for (long y = 0; y < h; y++)
        {
            for (long x = 0; x < w; x++)
            {
                centres[(y * w + x) * 2] = (y * f + (f - 1) / 2.0) / spatialSigma;
                centres[(y * w + x) * 2 + 1] = (x * f + (f - 1) / 2.0) / spatialSigma;
            }
        }
        using var host = TensorData.FromArray(centres, h * w, 2);
        return host.to(like.dtype, like.device);
    }
}
