using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

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
        using var scope = NewDisposeScope();
        var valid = LossTargets.ValidMask(target, ignoreIndex);
        var validFloat = valid.unsqueeze(1).to_type(logits.dtype);
        Tensor probabilities, targets;
        if (mode == OverlapMode.Binary)
        {
            if (logits.size(1) != 1)
                throw new ArgumentException($"{loss}: binary mode needs N x 1 x H x W logits, got {TensorData.ShapeOf(logits)}", nameof(logits));
            probabilities = logits.sigmoid() * validFloat;
            targets = target.EqualTo(1).unsqueeze(1).to_type(logits.dtype) * validFloat;
        }
        else
        {
            probabilities = nn.functional.softmax(logits, 1) * validFloat;
            targets = LossTargets.OneHot(LossTargets.SafeTarget(target, valid), valid, logits.size(1), logits.dtype);
        }
        return (probabilities.MoveToOuterDisposeScope(), targets.MoveToOuterDisposeScope());
    }
}
