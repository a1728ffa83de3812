using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>
/// A differentiable segmentation loss of raw network outputs against class-id targets. Every loss of this folder is
/// also a TorchSharp module (<see cref="SegmentationLoss"/>, an <c>nn.Module&lt;Tensor, Tensor, Tensor&gt;</c>).
/// </summary>
public interface ISegmentationLoss
{
    /// <summary>
    /// The loss (a scalar tensor with autograd history) of <paramref name="logits"/> (N x K x H x W, unnormalized
    /// scores; N x 1 x H x W in binary modes) against <paramref name="target"/> (N x H x W, int64 class ids).
    /// </summary>
    Tensor Compute(Tensor logits, Tensor target);
}
