using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses;

/// <summary>
/// A weighted sum of losses, e.g. cross-entropy + Dice: sum_i weight_i * loss_i(logits, target). The terms are used,
/// not owned: they are not registered as submodules, so disposing the sum leaves them alone.
/// </summary>
public sealed class WeightedSumLoss : SegmentationLoss
{
    private readonly (double Weight, ISegmentationLoss Loss)[] _terms;

    /// <summary>A sum of the given (weight, loss) terms (at least one).</summary>
    public WeightedSumLoss(params (double Weight, ISegmentationLoss Loss)[] terms) : base(nameof(WeightedSumLoss))
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Length == 0) throw new ArgumentException("a weighted sum needs at least one loss", nameof(terms));
        foreach (var (_, loss) in terms) ArgumentNullException.ThrowIfNull(loss, nameof(terms));
        _terms = terms;
    }

    /// <summary>The (weight, loss) terms.</summary>
    public IReadOnlyList<(double Weight, ISegmentationLoss Loss)> Terms => _terms;

    /// <inheritdoc />
    public override Tensor forward(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        Tensor? total = null;
        foreach (var (weight, loss) in _terms)
        {
            var term = loss.Compute(logits, target).Times(weight);
            total = total is null ? term : total.Plus(term);
        }
        return total!.MoveToOuterDisposeScope();
    }
}
