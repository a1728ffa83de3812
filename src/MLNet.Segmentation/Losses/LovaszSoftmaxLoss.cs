using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses;

/// <summary>Options of <see cref="LovaszSoftmaxLoss"/>.</summary>
public sealed record LovaszSoftmaxLossOptions
{
    /// <summary>Target id whose pixels are removed before the loss, or null.</summary>
    public long? IgnoreIndex { get; init; }

    /// <summary>Average the loss of each image (true) or compute it once over the whole batch (false, the default).</summary>
    public bool PerImage { get; init; }

    /// <summary>Average only over classes present in the target (true, the default) or over all classes.</summary>
    public bool OnlyPresentClasses { get; init; } = true;
}

/// <summary>
/// Lovász-softmax loss (Berman, Rannen Triki and Blaschko, 2018): a convex surrogate of 1 - IoU per class. For class c
/// the pixel errors e_i = |[y_i = c] - p_i,c| are sorted in decreasing order and dotted with the gradient of the
/// Lovász extension of the Jaccard loss, i.e. the increments of 1 - |G - F_k| / |G ∪ F_k| along the sorted order;
/// the result is averaged over classes.
/// </summary>
public sealed class LovaszSoftmaxLoss(LovaszSoftmaxLossOptions? options = null) : ISegmentationLoss
{
    /// <summary>The options in use.</summary>
    public LovaszSoftmaxLossOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public Tensor Compute(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(LovaszSoftmaxLoss));
        using var scope = DisposeScope.Enter();
        var probabilities = Functional.Softmax(logits, 1);
        Tensor loss;
        if (!Options.PerImage) loss = FlatLoss(probabilities, target);
        else
        {
            loss = FlatLoss(probabilities.Narrow(0, 0, 1), target.Narrow(0, 0, 1));
            for (long n = 1; n < logits.Size(0); n++)
                loss = loss + FlatLoss(probabilities.Narrow(0, n, 1), target.Narrow(0, n, 1));
            loss = loss / logits.Size(0);
        }
        return loss.MoveToOuterDisposeScope();
    }

    private Tensor FlatLoss(Tensor probabilities, Tensor target)
    {
        using var scope = DisposeScope.Enter();
        long classes = probabilities.Size(1);
        var flat = probabilities.Permute(0, 2, 3, 1).Reshape(-1, classes);
        var labels = target.Reshape(-1);
        if (Options.IgnoreIndex is long ignore)
        {
            var valid = labels.Ne(ignore);
            flat = flat.Index(valid);
            labels = labels.Index(valid);
        }
        if (labels.NumberOfElements == 0) return (probabilities.Sum() * 0.0).MoveToOuterDisposeScope();

        var foreground = labels.OneHot(classes).To(flat.DType);          // M x K
        var (errors, order) = (foreground - flat).Abs().Sort(0, descending: true);
        var sortedForeground = foreground.Gather(0, order);
        var perClass = (errors * JaccardExtensionGradient(sortedForeground)).Sum(0);   // K

        var counted = Options.OnlyPresentClasses
            ? (foreground.Sum(0) > 0).To(flat.DType)
            : perClass.Detach().OnesLike();
        return LossTargets.SafeMean((perClass * counted).Sum(), counted.Sum()).MoveToOuterDisposeScope();
    }

    // Column-wise gradient of the Lovász extension of the Jaccard loss for foreground indicators sorted by decreasing error.
    private static Tensor JaccardExtensionGradient(Tensor sortedForeground)
    {
        using var scope = DisposeScope.Enter();
        var total = sortedForeground.Sum(0, keepDim: true);
        var intersection = total - sortedForeground.CumSum(0);
        var union = total + (1.0 - sortedForeground).CumSum(0);
        var jaccard = 1.0 - intersection / union;
        long m = jaccard.Size(0);
        if (m == 1) return jaccard.MoveToOuterDisposeScope();
        var increments = jaccard.Narrow(0, 1, m - 1) - jaccard.Narrow(0, 0, m - 1);
        return Tensor.Cat([jaccard.Narrow(0, 0, 1), increments], 0).MoveToOuterDisposeScope();
    }
}
