using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Metrics.Distance;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses.BorderWeights;

/// <summary>
/// The U-Net weight map (Ronneberger et al., 2015): w(x) = w_c(x) + w0 exp(-(d1(x) + d2(x))^2 / (2 sigma^2)), where
/// w_c balances class frequencies and d1, d2 are the Euclidean distances to the nearest and second-nearest object.
/// Objects are the connected components of each foreground class. With fewer than two objects d2 is infinite and the
/// border term vanishes. Computed on the CPU.
/// </summary>
public sealed class UNetBorderWeightMap(UNetBorderWeightOptions? options = null)
{
    /// <summary>The options in use.</summary>
    public UNetBorderWeightOptions Options { get; } = options ?? new();

    /// <summary>The weight map of one H x W class-id mask (row-major).</summary>
    public double[] Compute(ReadOnlySpan<long> mask, int height, int width)
    {
        if ((long)height * width != mask.Length)
            throw new ArgumentException($"mask has {mask.Length} pixels, not {height}x{width}", nameof(mask));
        if (!(Options.Sigma > 0)) throw new ArgumentOutOfRangeException(nameof(Options.Sigma), Options.Sigma, "Sigma must be positive");
        var weights = ClassBalance(mask);
        AddBorderTerm(mask, height, width, weights);
        return weights;
    }

    /// <summary>The weight maps of an N x H x W int64 target as an N x H x W float64 tensor on the target's device.</summary>
    public Tensor Compute(Tensor target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (target.dim() != 3 || target.dtype != ScalarType.Int64)
            throw new ArgumentException($"target must be an N x H x W int64 tensor, got {TensorData.ShapeOf(target)} {target.dtype}", nameof(target));
        int n = (int)target.size(0), h = (int)target.size(1), w = (int)target.size(2);
        var labels = TensorData.ToArray<long>(target);
        var result = new double[labels.Length];
        for (int i = 0; i < n; i++)
            Compute(labels.AsSpan(i * h * w, h * w), h, w).CopyTo(result, i * h * w);
        return TensorData.FromSpan<double>(result, [n, h, w], target.device);
    }

    private bool Ignored(long id) => Options.IgnoreIndex == id;

    private double[] ClassBalance(ReadOnlySpan<long> mask)
    {
        var weights = new double[mask.Length];
        if (Options.ClassWeights is { } fixedWeights)
        {
            for (int i = 0; i < mask.Length; i++)
            {
                if (Ignored(mask[i])) continue;
                if (mask[i] < 0 || mask[i] >= fixedWeights.Length)
                    throw new ArgumentException($"class id {mask[i]} has no entry in ClassWeights (length {fixedWeights.Length})");
                weights[i] = fixedWeights[mask[i]];
            }
            return weights;
        }
        var counts = new Dictionary<long, long>();
        long total = 0;
        foreach (long id in mask)
        {
            if (Ignored(id)) continue;
            counts[id] = counts.GetValueOrDefault(id) + 1;
            total++;
        }
        for (int i = 0; i < mask.Length; i++)
            if (!Ignored(mask[i])) weights[i] = (double)total / (counts.Count * counts[mask[i]]);
        return weights;
    }

    private void AddBorderTerm(ReadOnlySpan<long> mask, int height, int width, double[] weights)
    {
        if (Options.W0 == 0) return;
        long background = Options.BackgroundClass;
        var (labels, count) = ConnectedComponents.Label(mask, height, width, id => id != background && !Ignored(id), Options.Connectivity);
        if (count < 2) return;

        var sizes = new int[count + 1];
        foreach (int label in labels) sizes[label]++;
        var chosen = Enumerable.Range(1, count).OrderByDescending(c => sizes[c]).ThenBy(c => c).Take(Math.Max(Options.MaxComponents, 0)).ToArray();
        if (chosen.Length < 2) return;

        var nearest = new double[mask.Length];
        var second = new double[mask.Length];
        Array.Fill(nearest, double.PositiveInfinity);
        Array.Fill(second, double.PositiveInfinity);
        var component = new bool[mask.Length];
        foreach (int c in chosen)
        {
            for (int i = 0; i < labels.Length; i++) component[i] = labels[i] == c;
            var distance = EuclideanDistanceTransform.DistanceToNearest(component, height, width);
            for (int i = 0; i < distance.Length; i++)
            {
                double d = distance[i];
                if (d < nearest[i])
                {
                    second[i] = nearest[i];
                    nearest[i] = d;
                }
                else if (d < second[i]) second[i] = d;
            }
        }

        double twoSigmaSquared = 2 * Options.Sigma * Options.Sigma;
        for (int i = 0; i < mask.Length; i++)
        {
            if (Ignored(mask[i])) continue;
            if (Options.BorderOnBackgroundOnly && mask[i] != background) continue;
            double sum = nearest[i] + second[i];
            weights[i] += Options.W0 * Math.Exp(-sum * sum / twoSigmaSquared);
        }
    }
}
