using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>
/// Base of the soft overlap losses: per class c, from probabilities p and one-hot target g summed over the batch
/// and pixels (ignored pixels excluded), TP = sum p g, FP = sum p (1 - g), FN = sum (1 - p) g; the loss is the
/// weighted mean over classes of 1 - score(TP, FP, FN).
/// </summary>
public abstract class OverlapLoss : SegmentationLoss
{
    /// <summary>Creates the loss module <paramref name="name"/> with shared overlap options.</summary>
    protected OverlapLoss(string name, OverlapLossOptions options) : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Smooth < 0) throw new ArgumentOutOfRangeException(nameof(options), options.Smooth, "Smooth must be non-negative");
        OverlapOptions = options;
    }

    /// <summary>The shared overlap options.</summary>
    protected OverlapLossOptions OverlapOptions { get; }

    /// <summary>The per-class score in [0, 1] (1 = perfect overlap) from the soft counts (tensors of length K).</summary>
    protected abstract Tensor Score(Tensor truePositives, Tensor falsePositives, Tensor falseNegatives, double smooth);

    /// <summary>The per-class loss from the per-class score (default 1 - score).</summary>
    protected virtual Tensor ClassLoss(Tensor score) => score.SubtractedFrom(1.0);

    /// <inheritdoc />
    public override Tensor forward(Tensor logits, Tensor target)
    {
        string name = GetType().Name;
        LossTargets.Validate(logits, target, name);
        using var scope = NewDisposeScope();
        var (probabilities, oneHot) = SoftCounts.ProbabilitiesAndTargets(logits, target, OverlapOptions.Mode, OverlapOptions.IgnoreIndex, name);
        long[] dims = [0, 2, 3];
        var tp = (probabilities * oneHot).sum(dims);
        var fp = probabilities.sum(dims) - tp;
        var targetCounts = oneHot.sum(dims);
        var fn = targetCounts - tp;
        var perClass = ClassLoss(Score(tp, fp, fn, OverlapOptions.Smooth));

        long classes = probabilities.size(1);
        var weights = OverlapOptions.ClassWeights is null
            ? perClass.detach().ones_like()
            : LossTargets.ClassVector(OverlapOptions.ClassWeights, classes, logits, name, "ClassWeights");
        if (!OverlapOptions.IncludeAbsentClasses)
            weights = weights * targetCounts.Above(0).to_type(weights.dtype);
        var loss = LossTargets.SafeMean((weights * perClass).sum(), weights.sum());
        return loss.MoveToOuterDisposeScope();
    }
}
