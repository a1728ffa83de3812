using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>Shared target handling of the losses: shape checks, ignore masks and one-hot encodings.</summary>
internal static class LossTargets
{
    /// <summary>Throws unless logits are N x C x H x W and target is N x H x W int64 with matching sizes.</summary>
    internal static void Validate(Tensor logits, Tensor target, string loss)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(target);
        if (logits.dim() != 4)
            throw new ArgumentException($"{loss}: logits must be N x K x H x W, got {TensorData.ShapeOf(logits)}", nameof(logits));
        if (target.dim() != 3 || target.size(0) != logits.size(0) || target.size(1) != logits.size(2) || target.size(2) != logits.size(3))
            throw new ArgumentException($"{loss}: target must be N x H x W = [{logits.size(0)}, {logits.size(2)}, {logits.size(3)}], got {TensorData.ShapeOf(target)}", nameof(target));
        if (target.dtype != ScalarType.Int64)
            throw new ArgumentException($"{loss}: target must be int64 class ids, got {target.dtype}", nameof(target));
    }

    /// <summary>True (bool N x H x W) where the pixel is not ignored.</summary>
    internal static Tensor ValidMask(Tensor target, long? ignoreIndex) =>
        ignoreIndex is long ignore ? target.NotEqualTo(ignore) : target.ones_like(ScalarType.Bool);

    /// <summary>The target with ignored pixels replaced by class 0 (safe for one-hot and gather).</summary>
    internal static Tensor SafeTarget(Tensor target, Tensor valid)
    {
        using var ignored = valid.logical_not();
        return target.MaskedFill(ignored, 0L);
    }

    /// <summary>One-hot N x K x H x W in <paramref name="dtype"/>, all zero at ignored pixels.</summary>
    internal static Tensor OneHot(Tensor safeTarget, Tensor valid, long classes, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        var oneHot = nn.functional.one_hot(safeTarget, classes).permute(0, 3, 1, 2).to_type(dtype) * valid.unsqueeze(1).to_type(dtype);
        return oneHot.MoveToOuterDisposeScope();
    }

    /// <summary>Per-class values as a tensor of the logits' dtype and device.</summary>
    internal static Tensor ClassVector(double[] values, long classes, Tensor like, string loss, string name)
    {
        if (values.Length != classes)
            throw new ArgumentException($"{loss}: {name} has {values.Length} entries but there are {classes} classes");
        using var host = TensorData.FromArray(values, values.Length);
        return host.to(like.dtype, like.device);
    }

    /// <summary>sum / max(count, 1): a mean that is 0 (with gradient history) when nothing is counted.</summary>
    internal static Tensor SafeMean(Tensor sum, Tensor count)
    {
        using var scope = NewDisposeScope();
        var denominator = count.to_type(sum.dtype).ClampMin(1);
        return (sum / denominator).MoveToOuterDisposeScope();
    }
}
