using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses;

/// <summary>A weighted sum of losses, e.g. cross-entropy + Dice: sum_i weight_i * loss_i(logits, target).</summary>
public sealed class WeightedSumLoss : ISegmentationLoss
{
    private readonly (double Weight, ISegmentationLoss Loss)[] _terms;

    /// <summary>A sum of the given (weight, loss) terms (at least one).</summary>
    public WeightedSumLoss(params (double Weight, ISegmentationLoss Loss)[] terms)
    {
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Length == 0) throw new ArgumentException("a weighted sum needs at least one loss", nameof(terms));
        foreach (var (_, loss) in terms) ArgumentNullException.ThrowIfNull(loss, nameof(terms));
        _terms = terms;
    }

    /// <summary>The (weight, loss) terms.</summary>
    public IReadOnlyList<(double Weight, ISegmentationLoss Loss)> Terms => _terms;

    /// <inheritdoc />
    public Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = DisposeScope.Enter();
        Tensor? total = null;
        foreach (var (weight, loss) in _terms)
        {
            var term = loss.Compute(logits, target) * weight;
            total = total is null ? term : total + term;
        }
        return total!.MoveToOuterDisposeScope();
    }
}
