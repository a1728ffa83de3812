using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses.BorderWeights;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>Options of <see cref="PairwiseRegularizer"/>.</summary>
public sealed record PairwiseRegularizerOptions
{
    /// <summary>Overall weight lambda (default 1).</summary>
    public double Lambda { get; init; } = 1;

    /// <summary>Intensity scale sigma, in the image's units (default 0.1, for images scaled to [0, 1]).</summary>
    public double Sigma { get; init; } = 0.1;

    /// <summary>4-neighbourhood (the default) or 8-neighbourhood (adds the diagonal pairs, with the same weight formula).</summary>
    public Connectivity Neighbourhood { get; init; } = Connectivity.Four;

    /// <summary>Reduction of the sum over pairs (default: divided by N H W).</summary>
    public RegularizerReduction Reduction { get; init; } = RegularizerReduction.MeanPerPixel;
}

/// <summary>
/// Pairwise (CRF-like, relaxed Potts) regularizer for weak supervision: sum over neighbouring pixel pairs {p, q},
/// each unordered pair once, of w_pq ||s_p - s_q||^2, with s the softmax probabilities and
/// w_pq = lambda exp(-||I_p - I_q||^2 / (2 sigma^2)) computed from the image over all its channels.
/// </summary>
public sealed class PairwiseRegularizer(PairwiseRegularizerOptions? options = null) : ImageRegularizer(nameof(PairwiseRegularizer))
{
    /// <summary>The options in use.</summary>
    public PairwiseRegularizerOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public override Tensor forward(Tensor logits, Tensor image)
    {
        RegularizerInputs.Validate(logits, image, nameof(PairwiseRegularizer));
        if (!(Options.Sigma > 0)) throw new ArgumentOutOfRangeException(nameof(Options.Sigma), Options.Sigma, "Sigma must be positive");
        using var scope = NewDisposeScope();
        var probabilities = nn.functional.softmax(logits, 1);
        var intensities = image.detach().to(logits.dtype, logits.device);
        (int Dy, int Dx)[] offsets = Options.Neighbourhood == Connectivity.Eight
            ? [(0, 1), (1, 0), (1, 1), (1, -1)]
            : [(0, 1), (1, 0)];
        Tensor total = probabilities.sum().Times(0.0);
        foreach (var (dy, dx) in offsets)
        {
            var probabilityDifference = Shifted(probabilities, dy, dx, first: true) - Shifted(probabilities, dy, dx, first: false);
            var imageDifference = Shifted(intensities, dy, dx, first: true) - Shifted(intensities, dy, dx, first: false);
            var weights = (imageDifference * imageDifference).sum(dim: 1).Times(-1.0 / (2 * Options.Sigma * Options.Sigma));
            total = total.Plus((weights.exp() * (probabilityDifference * probabilityDifference).sum(dim: 1)).sum());
        }
        total = total.Times(Options.Lambda);
        if (Options.Reduction == RegularizerReduction.MeanPerPixel)
            total = total.DividedBy(logits.size(0) * logits.size(2) * logits.size(3));
        return total.MoveToOuterDisposeScope();
    }

    // The pixels p (first) or their neighbours q = p + (dy, dx) (second) of every pair that lies inside the image.
    private static Tensor Shifted(Tensor x, int dy, int dx, bool first)
    {
        long h = x.size(2), w = x.size(3);
        long rows = h - Math.Abs(dy), cols = w - Math.Abs(dx);
        long rowStart = first ? Math.Max(0, -dy) : Math.Max(0, dy);
        long colStart = first ? Math.Max(0, -dx) : Math.Max(0, dx);
        using var band = x.narrow(2, rowStart, rows);
        return band.narrow(3, colStart, cols);
    }
}
