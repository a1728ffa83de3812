using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>
/// Pointwise entropy regularizer: sum over pixels of H(s_p) = -sum_k s_p,k log s_p,k with s the softmax probabilities
/// (computed from log-softmax, so exact zeros are harmless). It pushes predictions to be confident. As a loss module
/// (<see cref="ISegmentationLoss"/>) it ignores the target.
/// </summary>
public sealed class EntropyRegularizer(RegularizerReduction reduction = RegularizerReduction.MeanPerPixel) : SegmentationLoss(nameof(EntropyRegularizer))
{
    /// <summary>The reduction in use (default: mean per pixel).</summary>
    public RegularizerReduction Reduction { get; } = reduction;

    /// <summary>The entropy of N x K x H x W logits.</summary>
    public Tensor Compute(Tensor logits)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.dim() != 4) throw new ArgumentException($"EntropyRegularizer: logits must be N x K x H x W, got {TensorData.ShapeOf(logits)}", nameof(logits));
        using var scope = NewDisposeScope();
        var logProbabilities = nn.functional.log_softmax(logits, 1);
        var total = -(logProbabilities.exp() * logProbabilities).sum();
        if (Reduction == RegularizerReduction.MeanPerPixel)
            total = total.DividedBy(logits.size(0) * logits.size(2) * logits.size(3));
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>The entropy of <paramref name="logits"/>; <paramref name="target"/> is not used.</summary>
    public override Tensor forward(Tensor logits, Tensor target) => Compute(logits);
}
