using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Data;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// Median-frequency class weights (Eigen and Fergus, as SegNet weights CamVid): w_c = median(f) / f_c with f_c the share
/// of class c among the labelled pixels of the training masks (ignored ids left out); classes that never occur get 1.
/// </summary>
public static class ClassFrequencyWeights
{
    /// <summary>The weights of the masks of <paramref name="dataset"/>.</summary>
    public static double[] Compute(ISegmentationDataset dataset, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        int classes = dataset.Description.NumClasses;
        var counts = new long[classes];
        for (int i = 0; i < dataset.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var sample = dataset.Get(i);
            var ids = sample.Mask.flatten();
            var valid = ids.masked_select(ids.AtLeast(0).logical_and(ids.Below(classes)));
            var bins = valid.bincount(null, classes);
            var values = Engine.TensorData.ToArray<long>(bins);
            for (int c = 0; c < classes; c++) counts[c] += values[c];
        }
        return FromCounts(counts);
    }

    /// <summary>The weights of per-class pixel counts.</summary>
    public static double[] FromCounts(IReadOnlyList<long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        double total = counts.Sum();
        if (total <= 0) return counts.Select(_ => 1.0).ToArray();
        var present = counts.Where(c => c > 0).Select(c => c / total).Order().ToArray();
        double median = present.Length % 2 == 1 ? present[present.Length / 2] : (present[present.Length / 2 - 1] + present[present.Length / 2]) / 2;
        return counts.Select(c => c > 0 ? median / (c / total) : 1.0).ToArray();
    }

    /// <summary>
    /// The weights raised to <paramref name="power"/>: 1 keeps them, 0 makes every class 1, 0.5 narrows their ratios to
    /// the square roots (CamVid's SegNet weights span 68x; tempered, 8x).
    /// </summary>
    public static double[] Temper(IReadOnlyList<double> weights, double power)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (!double.IsFinite(power) || power < 0 || power > 4) throw new ArgumentOutOfRangeException(nameof(power), power, "the class-weight power must be in [0, 4]");
        for (int c = 0; c < weights.Count; c++)
            if (!double.IsFinite(weights[c]) || weights[c] <= 0) throw new ArgumentException($"class weight {c} is {weights[c]}; weights must be positive and finite", nameof(weights));
        return weights.Select(w => Math.Pow(w, power)).ToArray();
    }
}
