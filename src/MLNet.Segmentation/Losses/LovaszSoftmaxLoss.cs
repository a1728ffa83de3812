using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

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
public sealed class LovaszSoftmaxLoss(LovaszSoftmaxLossOptions? options = null) : SegmentationLoss(nameof(LovaszSoftmaxLoss))
{
    /// <summary>The options in use.</summary>
    public LovaszSoftmaxLossOptions Options { get; } = options ?? new();

    /// <inheritdoc />
    public override Tensor forward(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(LovaszSoftmaxLoss));
        using var scope = NewDisposeScope();
        var probabilities = nn.functional.softmax(logits, 1);
        Tensor loss;
        if (!Options.PerImage) loss = FlatLoss(probabilities, target);
        else
        {
            loss = FlatLoss(probabilities.narrow(0, 0, 1), target.narrow(0, 0, 1));
            for (long n = 1; n < logits.size(0); n++)
                loss = loss.Plus(FlatLoss(probabilities.narrow(0, n, 1), target.narrow(0, n, 1)));
            loss = loss.DividedBy(logits.size(0));
        }
        return loss.MoveToOuterDisposeScope();
    }

    private Tensor FlatLoss(Tensor probabilities, Tensor target)
    {
        using var scope = NewDisposeScope();
        long classes = probabilities.size(1);
        var flat = probabilities.permute(0, 2, 3, 1).reshape(-1, classes);
        var labels = target.reshape(-1);
        if (Options.IgnoreIndex is long ignore)
        {
            var valid = labels.NotEqualTo(ignore);
            flat = flat[valid];
            labels = labels[valid];
        }
        if (labels.numel() == 0) return probabilities.sum().Times(0.0).MoveToOuterDisposeScope();

        var foreground = nn.functional.one_hot(labels, classes).to_type(flat.dtype);   // M x K
        var (errors, order) = (foreground - flat).abs().sort(0, descending: true);
        var sortedForeground = foreground.gather(0, order);
        var perClass = (errors * JaccardExtensionGradient(sortedForeground)).sum(dim: 0);   // K

        var counted = Options.OnlyPresentClasses
            ? foreground.sum(dim: 0).Above(0).to_type(flat.dtype)
            : perClass.detach().ones_like();
        return LossTargets.SafeMean((perClass * counted).sum(), counted.sum()).MoveToOuterDisposeScope();
    }

    // Column-wise gradient of the Lovász extension of the Jaccard loss for foreground indicators sorted by decreasing error.
    private static Tensor JaccardExtensionGradient(Tensor sortedForeground)
    {
        using var scope = NewDisposeScope();
        var total = sortedForeground.sum(dim: 0, keepdim: true);
        var intersection = total - sortedForeground.cumsum(0);
        var union = total.Plus(sortedForeground.SubtractedFrom(1.0).cumsum(0));
        var jaccard = (intersection / union).SubtractedFrom(1.0);
        long m = jaccard.size(0);
        if (m == 1) return jaccard.MoveToOuterDisposeScope();
        var increments = jaccard.narrow(0, 1, m - 1) - jaccard.narrow(0, 0, m - 1);
        return cat([jaccard.narrow(0, 0, 1), increments], 0).MoveToOuterDisposeScope();
    }
}
