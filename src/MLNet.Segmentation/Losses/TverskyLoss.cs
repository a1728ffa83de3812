using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>Options of <see cref="TverskyLoss"/>.</summary>
public sealed record TverskyLossOptions : OverlapLossOptions
{
    /// <summary>Weight of false positives (default 0.5; with Beta = 0.5 the index is the Dice coefficient).</summary>
    public double Alpha { get; init; } = 0.5;

    /// <summary>Weight of false negatives (default 0.5; raise it to favour recall).</summary>
    public double Beta { get; init; } = 0.5;

    /// <summary>Exponent of the per-class loss, (1 - TI)^Gamma (1 = plain Tversky; &gt; 1 = focal Tversky).</summary>
    public double Gamma { get; init; } = 1;
}

/// <summary>
/// Tversky loss: per class (1 - TI)^gamma with TI = (TP + s) / (TP + alpha FP + beta FN + s); weighted mean over
/// classes (see <see cref="OverlapLoss"/>). alpha = beta = 1 gives the Jaccard index.
/// </summary>
public sealed class TverskyLoss : OverlapLoss
{
    /// <summary>Creates the loss (defaults alpha = beta = 0.5, gamma = 1).</summary>
    public TverskyLoss(TverskyLossOptions? options = null) : base(nameof(TverskyLoss), options ?? new TverskyLossOptions())
    {
        Options = (TverskyLossOptions)OverlapOptions;
        if (Options.Alpha < 0 || Options.Beta < 0) throw new ArgumentOutOfRangeException(nameof(options), "Alpha and Beta must be non-negative");
        if (!(Options.Gamma > 0)) throw new ArgumentOutOfRangeException(nameof(options), Options.Gamma, "Gamma must be positive");
    }

    /// <summary>The options in use.</summary>
    public TverskyLossOptions Options { get; }

    /// <inheritdoc />
    protected override Tensor Score(Tensor truePositives, Tensor falsePositives, Tensor falseNegatives, double smooth)
    {
        using var scope = NewDisposeScope();
        var numerator = truePositives.Plus(smooth);
        var score = numerator / numerator.Plus(falsePositives.Times(Options.Alpha)).Plus(falseNegatives.Times(Options.Beta));
        return score.MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    protected override Tensor ClassLoss(Tensor score)
    {
        using var scope = NewDisposeScope();
        var loss = score.SubtractedFrom(1.0);
        if (Options.Gamma != 1) loss = loss.Power(Options.Gamma);
        return loss.MoveToOuterDisposeScope();
    }
}
