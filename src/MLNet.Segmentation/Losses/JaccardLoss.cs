using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>
/// Soft Jaccard (IoU) loss: per class 1 - (TP + s) / (TP + FP + FN + s) = 1 - (sum p g + s) / (sum p + sum g - sum p g + s);
/// weighted mean over classes (see <see cref="OverlapLoss"/>).
/// </summary>
public sealed class JaccardLoss(OverlapLossOptions? options = null) : OverlapLoss(nameof(JaccardLoss), options ?? new())
{
    /// <inheritdoc />
    protected override Tensor Score(Tensor truePositives, Tensor falsePositives, Tensor falseNegatives, double smooth)
    {
        using var scope = NewDisposeScope();
        var numerator = truePositives.Plus(smooth);
        var score = numerator / numerator.Plus(falsePositives).Plus(falseNegatives);
        return score.MoveToOuterDisposeScope();
    }
}
