using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses;

/// <summary>Probabilities and matching float targets for the overlap and focal losses.</summary>
internal static class SoftCounts
{
    /// <summary>
    /// (probabilities, targets), both N x C x H x W in the logits' dtype and zero at ignored pixels: softmax and
    /// one-hot (C = K) in multiclass mode, sigmoid and foreground indicator (C = 1) in binary mode.
    /// </summary>
    internal static (Tensor Probabilities, Tensor Targets) ProbabilitiesAndTargets(Tensor logits, Tensor target, OverlapMode mode,
        long? ignoreIndex, string loss)
    {
        using var scope = DisposeScope.Enter();
        var valid = LossTargets.ValidMask(target, ignoreIndex);
        var validFloat = valid.Unsqueeze(1).To(logits.DType);
        Tensor probabilities, targets;
        if (mode == OverlapMode.Binary)
        {
            if (logits.Size(1) != 1)
                throw new ArgumentException($"{loss}: binary mode needs N x 1 x H x W logits, got {logits.ShapeString}", nameof(logits));
            probabilities = Functional.Sigmoid(logits) * validFloat;
            targets = target.Eq(1).Unsqueeze(1).To(logits.DType) * validFloat;
        }
        else
        {
            probabilities = Functional.Softmax(logits, 1) * validFloat;
            targets = LossTargets.OneHot(LossTargets.SafeTarget(target, valid), valid, logits.Size(1), logits.DType);
        }
        return (probabilities.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }
}
