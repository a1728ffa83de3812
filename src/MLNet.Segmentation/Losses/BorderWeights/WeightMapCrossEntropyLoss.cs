using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses.BorderWeights;

/// <summary>
/// Cross-entropy weighted per pixel: mean over non-ignored pixels of w(x) * ce(x). The weight map is either given
/// (e.g. precomputed with <see cref="UNetBorderWeightMap"/> in the data pipeline) or computed from the target with
/// the U-Net border weights when <see cref="Compute(Tensor, Tensor)"/> is called.
/// </summary>
public sealed class WeightMapCrossEntropyLoss(UNetBorderWeightOptions? borderWeights = null) : ISegmentationLoss
{
    /// <summary>The weight-map generator used when no map is given.</summary>
    public UNetBorderWeightMap WeightMap { get; } = new(borderWeights);

    /// <summary>The loss with the U-Net weight map computed from <paramref name="target"/> (on the CPU).</summary>
    public Tensor Compute(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(WeightMapCrossEntropyLoss));
        using var scope = DisposeScope.Enter();
        var map = WeightMap.Compute(target);
        return Compute(logits, target, map).MoveToOuterDisposeScope();
    }

    /// <summary>The loss with an explicit N x H x W per-pixel weight map.</summary>
    public Tensor Compute(Tensor logits, Tensor target, Tensor weightMap)
    {
        LossTargets.Validate(logits, target, nameof(WeightMapCrossEntropyLoss));
        if (!weightMap.ShapeRef.AsSpan().SequenceEqual(target.ShapeRef))
            throw new ArgumentException($"weight map {weightMap.ShapeString} must have the target's shape {target.ShapeString}", nameof(weightMap));
        using var scope = DisposeScope.Enter();
        long? ignore = WeightMap.Options.IgnoreIndex;
        var perPixel = Functional.CrossEntropy(logits, target, ignoreIndex: ignore ?? -100, reduction: Reduction.None);
        var valid = LossTargets.ValidMask(target, ignore).To(logits.DType);
        var weighted = perPixel * weightMap.To(logits.Device, logits.DType) * valid;
        return LossTargets.SafeMean(weighted.Sum(), valid.Sum()).MoveToOuterDisposeScope();
    }
}
