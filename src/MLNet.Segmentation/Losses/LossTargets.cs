using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses;

/// <summary>Shared target handling of the losses: shape checks, ignore masks and one-hot encodings.</summary>
internal static class LossTargets
{
    /// <summary>Throws unless logits are N x C x H x W and target is N x H x W int64 with matching sizes.</summary>
    internal static void Validate(Tensor logits, Tensor target, string loss)
    {
        if (logits.Dim != 4)
            throw new ArgumentException($"{loss}: logits must be N x K x H x W, got {logits.ShapeString}", nameof(logits));
        if (target.Dim != 3 || target.Size(0) != logits.Size(0) || target.Size(1) != logits.Size(2) || target.Size(2) != logits.Size(3))
            throw new ArgumentException($"{loss}: target must be N x H x W = [{logits.Size(0)}, {logits.Size(2)}, {logits.Size(3)}], got {target.ShapeString}", nameof(target));
        if (target.DType != DType.Int64)
            throw new ArgumentException($"{loss}: target must be int64 class ids, got {target.DType}", nameof(target));
    }

    /// <summary>True (bool N x H x W) where the pixel is not ignored.</summary>
    internal static Tensor ValidMask(Tensor target, long? ignoreIndex) =>
        ignoreIndex is long ignore ? target.Ne(ignore) : target.OnesLike().To(DType.Bool);

    /// <summary>The target with ignored pixels replaced by class 0 (safe for one-hot and gather).</summary>
    internal static Tensor SafeTarget(Tensor target, Tensor valid) => target.MaskedFill(valid.LogicalNot(), 0);

    /// <summary>One-hot N x K x H x W in <paramref name="dtype"/>, all zero at ignored pixels.</summary>
    internal static Tensor OneHot(Tensor safeTarget, Tensor valid, long classes, DType dtype)
    {
        using var scope = DisposeScope.Enter();
        var oneHot = safeTarget.OneHot(classes).Permute(0, 3, 1, 2).To(dtype) * valid.Unsqueeze(1).To(dtype);
        return oneHot.MoveToOuterDisposeScope();
    }

    /// <summary>Per-class values as a tensor of the logits' dtype and device.</summary>
    internal static Tensor ClassVector(double[] values, long classes, Tensor like, string loss, string name)
    {
        if (values.Length != classes)
            throw new ArgumentException($"{loss}: {name} has {values.Length} entries but there are {classes} classes");
        using var host = Tensor.FromArray(values);
        return host.To(like.Device, like.DType);
    }

    /// <summary>sum / max(count, 1): a mean that is 0 (with gradient history) when nothing is counted.</summary>
    internal static Tensor SafeMean(Tensor sum, Tensor count)
    {
        using var denominator = count.To(sum.DType).Clamp(min: 1);
        return sum / denominator;
    }
}
