using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>
/// Base of the segmentation losses as TorchSharp loss modules: <c>forward(logits, target)</c> (or <c>call</c>, which
/// runs the module hooks too) returns the scalar loss of N x K x H x W logits against N x H x W int64 class ids, and
/// <see cref="Compute"/> is the same call through <see cref="ISegmentationLoss"/>. The losses hold no parameters or
/// buffers; per-class options (weights) are made into tensors of the logits' dtype and device on each call.
/// </summary>
public abstract class SegmentationLoss : nn.Module<Tensor, Tensor, Tensor>, ISegmentationLoss
{
    /// <summary>A loss module named <paramref name="name"/>.</summary>
    protected SegmentationLoss(string name) : base(name)
    {
    }

    /// <summary>The loss of <paramref name="logits"/> against <paramref name="target"/>: <c>call(logits, target)</c>.</summary>
    public Tensor Compute(Tensor logits, Tensor target) => call(logits, target);
}
