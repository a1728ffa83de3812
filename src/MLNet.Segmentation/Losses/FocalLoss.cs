using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

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
public sealed class FocalLoss(FocalLossOptions? options = null) : SegmentationLoss(nameof(FocalLoss))
{
    /// <summary>The options in use.</summary>
    public FocalLossOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public override Tensor forward(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(FocalLoss));
        if (Options.Gamma < 0) throw new ArgumentOutOfRangeException(nameof(Options.Gamma), Options.Gamma, "Gamma must be non-negative");
        using var scope = NewDisposeScope();
        var valid = LossTargets.ValidMask(target, Options.IgnoreIndex);
        var safe = LossTargets.SafeTarget(target, valid);
        Tensor logPt, alpha;
        if (Options.Mode == OverlapMode.Binary)
        {
            if (logits.size(1) != 1)
                throw new ArgumentException($"FocalLoss: binary mode needs N x 1 x H x W logits, got {TensorData.ShapeOf(logits)}", nameof(logits));
            var x = logits.squeeze(1);
            var positive = safe.EqualTo(1).to_type(logits.dtype);
            logPt = -nn.functional.binary_cross_entropy_with_logits(x, positive, reduction: nn.Reduction.None);
            alpha = Options.Alpha is double a ? positive.Times(2 * a - 1).Plus(1 - a) : positive.ones_like();
        }
        else
        {
            if (Options.Alpha is not null) throw new ArgumentException("FocalLoss: Alpha applies to binary mode; use ClassWeights for multiclass");
            logPt = nn.functional.log_softmax(logits, 1).gather(1, safe.unsqueeze(1)).squeeze(1);
            alpha = Options.ClassWeights is null
                ? logPt.detach().ones_like()
                : LossTargets.ClassVector(Options.ClassWeights, logits.size(1), logits, nameof(FocalLoss), "ClassWeights")
                    .index_select(0, safe.flatten()).reshape(safe.shape);
        }
        var modulation = Options.Gamma == 0 ? logPt.detach().ones_like() : logPt.exp().SubtractedFrom(1.0).Power(Options.Gamma);
        var validFloat = valid.to_type(logits.dtype);
        var perPixel = -(alpha * modulation * logPt) * validFloat;
        var loss = LossTargets.SafeMean(perPixel.sum(), validFloat.sum());
        return loss.MoveToOuterDisposeScope();
    }
}
