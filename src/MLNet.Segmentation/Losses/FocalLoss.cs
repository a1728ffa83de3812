using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses;

/// <summary>Options of <see cref="FocalLoss"/>.</summary>
public sealed record FocalLossOptions
{
    /// <summary>Softmax over K classes or a single sigmoid foreground channel.</summary>
    public OverlapMode Mode { get; init; } = OverlapMode.Multiclass;

    /// <summary>Focusing exponent: (1 - p_t)^Gamma down-weights easy pixels (default 2; 0 gives cross-entropy).</summary>
    public double Gamma { get; init; } = 2;

    /// <summary>
    /// Balance factor: in binary mode alpha for foreground and 1 - alpha for background pixels; in multiclass mode
    /// use <see cref="ClassWeights"/> instead. Null (the default) means no balancing.
    /// </summary>
    public double? Alpha { get; init; }

    /// <summary>Multiclass per-class balance factors alpha_t (length K), or null.</summary>
    public double[]? ClassWeights { get; init; }

    /// <summary>Target id whose pixels are left out of the loss and of the mean, or null.</summary>
    public long? IgnoreIndex { get; init; }
}

/// <summary>
/// Focal loss (Lin et al.): per pixel -alpha_t (1 - p_t)^gamma log p_t with p_t the probability of the true class,
/// averaged over non-ignored pixels.
/// </summary>
public sealed class FocalLoss(FocalLossOptions? options = null) : ISegmentationLoss
{
    /// <summary>The options in use.</summary>
    public FocalLossOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public Tensor Compute(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(FocalLoss));
        if (Options.Gamma < 0) throw new ArgumentOutOfRangeException(nameof(Options.Gamma), Options.Gamma, "Gamma must be non-negative");
        using var scope = DisposeScope.Enter();
        var valid = LossTargets.ValidMask(target, Options.IgnoreIndex);
        var safe = LossTargets.SafeTarget(target, valid);
        Tensor logPt, alpha;
        if (Options.Mode == OverlapMode.Binary)
        {
            if (logits.Size(1) != 1)
                throw new ArgumentException($"FocalLoss: binary mode needs N x 1 x H x W logits, got {logits.ShapeString}", nameof(logits));
            var x = logits.Squeeze(1);
            var positive = safe.Eq(1).To(logits.DType);
            logPt = -Functional.BinaryCrossEntropyWithLogits(x, positive, reduction: Reduction.None);
            alpha = Options.Alpha is double a ? positive * (2 * a - 1) + (1 - a) : positive.OnesLike();
        }
        else
        {
            if (Options.Alpha is not null) throw new ArgumentException("FocalLoss: Alpha applies to binary mode; use ClassWeights for multiclass");
            logPt = Functional.LogSoftmax(logits, 1).Gather(1, safe.Unsqueeze(1)).Squeeze(1);
            alpha = Options.ClassWeights is null
                ? logPt.Detach().OnesLike()
                : LossTargets.ClassVector(Options.ClassWeights, logits.Size(1), logits, nameof(FocalLoss), "ClassWeights").IndexSelect(0, safe.Flatten()).Reshape(safe.Shape);
        }
        var modulation = Options.Gamma == 0 ? logPt.Detach().OnesLike() : (1.0 - logPt.Exp()).Pow(Options.Gamma);
        var validFloat = valid.To(logits.DType);
        var perPixel = -(alpha * modulation * logPt) * validFloat;
        var loss = LossTargets.SafeMean(perPixel.Sum(), validFloat.Sum());
        return loss.MoveToOuterDisposeScope();
    }
}
