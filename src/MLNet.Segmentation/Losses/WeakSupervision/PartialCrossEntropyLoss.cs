using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

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
public sealed class PartialCrossEntropyLoss(PartialCrossEntropyLossOptions? options = null) : SegmentationLoss(nameof(PartialCrossEntropyLoss))
{
    /// <summary>The options in use.</summary>
    public PartialCrossEntropyLossOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public override Tensor forward(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(PartialCrossEntropyLoss));
        using var scope = NewDisposeScope();
        var labelled = target.NotEqualTo(Options.UnlabeledId);
        var safe = LossTargets.SafeTarget(target, labelled);
        Tensor? weights = Options.ClassWeights is null
            ? null
            : LossTargets.ClassVector(Options.ClassWeights, logits.size(1), logits, nameof(PartialCrossEntropyLoss), "ClassWeights");
        var total = nn.functional.cross_entropy(logits, target, weights, Options.UnlabeledId, nn.Reduction.Sum);
        var labelledFloat = labelled.to_type(logits.dtype);
        var denominator = weights is null
            ? labelledFloat.sum()
            : (weights.index_select(0, safe.flatten()).reshape(safe.shape) * labelledFloat).sum();
        return LossTargets.SafeMean(total, denominator).MoveToOuterDisposeScope();
    }
}
