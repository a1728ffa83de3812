using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>Options of <see cref="CrossEntropyLoss"/>.</summary>
public sealed record CrossEntropyLossOptions
{
    /// <summary>Per-class weights (length K), or null for equal weights.</summary>
    public double[]? ClassWeights { get; init; }

    /// <summary>Target id whose pixels are left out of the loss and of the mean, or null.</summary>
    public long? IgnoreIndex { get; init; }

    /// <summary>Label smoothing in [0, 1): the target mixes the one-hot label with a uniform distribution.</summary>
    public double LabelSmoothing { get; init; }
}

/// <summary>
/// Pixel-wise softmax cross-entropy with class weights, an ignored id and label smoothing. The result is the
/// weighted mean over non-ignored pixels, sum(w[t] * ce) / sum(w[t]), exactly as torch.nn.functional.cross_entropy
/// (which computes it).
/// </summary>
public sealed class CrossEntropyLoss(CrossEntropyLossOptions? options = null) : SegmentationLoss(nameof(CrossEntropyLoss))
{
    /// <summary>The options in use.</summary>
    public CrossEntropyLossOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public override Tensor forward(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(CrossEntropyLoss));
        if (Options.LabelSmoothing is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(Options.LabelSmoothing), Options.LabelSmoothing, "label smoothing must be in [0, 1)");
        using var scope = NewDisposeScope();
        var weights = Options.ClassWeights is null
            ? null
            : LossTargets.ClassVector(Options.ClassWeights, logits.size(1), logits, nameof(CrossEntropyLoss), "ClassWeights");
        var loss = nn.functional.cross_entropy(logits, target, weights, Options.IgnoreIndex ?? -100, nn.Reduction.Mean, Options.LabelSmoothing);
        return loss.MoveToOuterDisposeScope();
    }
}
