using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>Options of <see cref="PartialCrossEntropyLoss"/>.</summary>
public sealed record PartialCrossEntropyLossOptions
{
    /// <summary>The target id of pixels without a label (no scribble or seed); default 255.</summary>
    public long UnlabeledId { get; init; } = 255;

    /// <summary>Per-class weights (length K), or null.</summary>
    public double[]? ClassWeights { get; init; }
}

/// <summary>
/// Partial cross-entropy for weak supervision: cross-entropy over the labelled (scribble or seed) pixels only,
/// sum(w[t] ce) / sum(w[t]) over labelled pixels; 0 (with gradient history) when no pixel is labelled.
/// </summary>
public sealed class PartialCrossEntropyLoss(PartialCrossEntropyLossOptions? options = null) : ISegmentationLoss
{
    /// <summary>The options in use.</summary>
    public PartialCrossEntropyLossOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public Tensor Compute(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(PartialCrossEntropyLoss));
        using var scope = DisposeScope.Enter();
        var labelled = target.Ne(Options.UnlabeledId);
        var safe = LossTargets.SafeTarget(target, labelled);
        Tensor? weights = Options.ClassWeights is null
            ? null
            : LossTargets.ClassVector(Options.ClassWeights, logits.Size(1), logits, nameof(PartialCrossEntropyLoss), "ClassWeights");
        var total = Functional.CrossEntropy(logits, target, weights, Options.UnlabeledId, Reduction.Sum);
        var labelledFloat = labelled.To(logits.DType);
        var denominator = weights is null
            ? labelledFloat.Sum()
            : (weights.IndexSelect(0, safe.Flatten()).Reshape(safe.Shape) * labelledFloat).Sum();
        return LossTargets.SafeMean(total, denominator).MoveToOuterDisposeScope();
    }
}
