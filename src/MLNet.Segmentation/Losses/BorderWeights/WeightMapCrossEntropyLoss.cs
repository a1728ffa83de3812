using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses.BorderWeights;

/// <summary>
/// Cross-entropy weighted per pixel: mean over non-ignored pixels of w(x) * ce(x). The weight map is either given
/// (e.g. precomputed with <see cref="UNetBorderWeightMap"/> in the data pipeline) or computed from the target with
/// the U-Net border weights when the module is called with (logits, target).
/// </summary>
public sealed class WeightMapCrossEntropyLoss(UNetBorderWeightOptions? borderWeights = null) : SegmentationLoss(nameof(WeightMapCrossEntropyLoss))
{
    /// <summary>The weight-map generator used when no map is given.</summary>
    public UNetBorderWeightMap WeightMap { get; } = new(borderWeights);

    /// <summary>The loss with the U-Net weight map computed from <paramref name="target"/> (on the CPU).</summary>
    public override Tensor forward(Tensor logits, Tensor target)
    {
        LossTargets.Validate(logits, target, nameof(WeightMapCrossEntropyLoss));
        using var scope = NewDisposeScope();
        var map = WeightMap.Compute(target);
        return Compute(logits, target, map).MoveToOuterDisposeScope();
    }

    /// <summary>The loss with an explicit N x H x W per-pixel weight map.</summary>
    public Tensor Compute(Tensor logits, Tensor target, Tensor weightMap)
    {
        LossTargets.Validate(logits, target, nameof(WeightMapCrossEntropyLoss));
        ArgumentNullException.ThrowIfNull(weightMap);
        if (!weightMap.shape.AsSpan().SequenceEqual(target.shape))
            throw new ArgumentException($"weight map {TensorData.ShapeOf(weightMap)} must have the target's shape {TensorData.ShapeOf(target)}", nameof(weightMap));
        using var scope = NewDisposeScope();
        long? ignore = WeightMap.Options.IgnoreIndex;
        var perPixel = nn.functional.cross_entropy(logits, target, ignore_index: ignore ?? -100, reduction: nn.Reduction.None);
        var valid = LossTargets.ValidMask(target, ignore).to_type(logits.dtype);
        var weighted = perPixel * weightMap.to(logits.dtype, logits.device) * valid;
        return LossTargets.SafeMean(weighted.sum(), valid.sum()).MoveToOuterDisposeScope();
    }
}
