using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>
/// Soft Dice loss: per class 1 - (2 TP + s) / (2 TP + FP + FN + s) = 1 - (2 sum p g + s) / (sum p + sum g + s), from
/// softmax (or sigmoid) probabilities; weighted mean over classes (see <see cref="OverlapLoss"/>).
/// </summary>
public sealed class DiceLoss(OverlapLossOptions? options = null) : OverlapLoss(nameof(DiceLoss), options ?? new())
{
    /// <inheritdoc />
    protected override Tensor Score(Tensor truePositives, Tensor falsePositives, Tensor falseNegatives, double smooth)
    {
        using var scope = NewDisposeScope();
        var numerator = truePositives.Times(2.0).Plus(smooth);
        var score = numerator / numerator.Plus(falsePositives).Plus(falseNegatives);
        return score.MoveToOuterDisposeScope();
    }
}
