using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>
/// Pointwise entropy regularizer: sum over pixels of H(s_p) = -sum_k s_p,k log s_p,k with s the softmax probabilities
/// (computed from log-softmax, so exact zeros are harmless). It pushes predictions to be confident. As an
/// <see cref="ISegmentationLoss"/> it ignores the target.
/// </summary>
public sealed class EntropyRegularizer(RegularizerReduction reduction = RegularizerReduction.MeanPerPixel) : ISegmentationLoss
{
    /// <summary>The reduction in use (default: mean per pixel).</summary>
    public RegularizerReduction Reduction { get; } = reduction;

    /// <summary>The entropy of N x K x H x W logits.</summary>
    public Tensor Compute(Tensor logits)
    {
        if (logits.Dim != 4) throw new ArgumentException($"EntropyRegularizer: logits must be N x K x H x W, got {logits.ShapeString}", nameof(logits));
        using var scope = DisposeScope.Enter();
        var logProbabilities = Functional.LogSoftmax(logits, 1);
        var total = -(logProbabilities.Exp() * logProbabilities).Sum();
        if (Reduction == RegularizerReduction.MeanPerPixel)
            total = total / (logits.Size(0) * logits.Size(2) * logits.Size(3));
        return total.MoveToOuterDisposeScope();
    }

    /// <summary>The entropy of <paramref name="logits"/>; <paramref name="target"/> is not used.</summary>
    public Tensor Compute(Tensor logits, Tensor target) => Compute(logits);
}
