using MLNet.Segmentation.Metrics.Distance;

namespace MLNet.Segmentation.Metrics.Evaluation;

/// <summary>
/// A cumulative evaluator of class-id masks (update → compute → reset): the confusion matrix summed over images and,
/// per class, Hausdorff distance and HD95 averaged over the images where they are finite (see
/// <see cref="MaskEvaluation.Hausdorff"/> for the conventions).
/// </summary>
public sealed class MaskEvaluationAccumulator : IDisposable
{
    private readonly ConfusionMatrix _matrix;
    private readonly double[] _distanceSums, _distance95Sums;
    private readonly int[] _finiteCounts;
    private readonly bool[] _sawInfinite;
    private readonly List<string> _names = [];

    /// <summary>An accumulator for <paramref name="numClasses"/> classes, not counting ground-truth id <paramref name="ignoreIndex"/>.</summary>
    public MaskEvaluationAccumulator(int numClasses, long? ignoreIndex = null, bool computeDistances = true, SurfaceMode surfaceMode = SurfaceMode.AllPixels)
    {
        if (numClasses < 1 || numClasses > ConfusionMatrix.MaxClasses)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"the number of classes must be between 1 and {ConfusionMatrix.MaxClasses}");
        (NumClasses, IgnoreIndex, ComputeDistances, SurfaceMode) = (numClasses, ignoreIndex, computeDistances, surfaceMode);
        _matrix = new ConfusionMatrix(numClasses, ignoreIndex);
        _distanceSums = new double[numClasses];
        _distance95Sums = new double[numClasses];
        _finiteCounts = new int[numClasses];
        _sawInfinite = new bool[numClasses];
    }

    /// <summary>The number of classes K.</summary>
    public int NumClasses { get; }

    /// <summary>The ground-truth id that is not counted, or null.</summary>
    public long? IgnoreIndex { get; }

    /// <summary>Whether per-class Hausdorff distances are computed.</summary>
    public bool ComputeDistances { get; }

    /// <summary>Points entering the Hausdorff distances.</summary>
    public SurfaceMode SurfaceMode { get; }

    /// <summary>Adds one image: predicted and ground-truth ids of <paramref name="height"/> x <paramref name="width"/> pixels.</summary>
    public void Update(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> truth, int height, int width, string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        long pixels = (long)height * width;
        if (height < 1 || width < 1 || prediction.Length != pixels || truth.Length != pixels)
            throw new ArgumentException($"{name}: expected {height}x{width} = {pixels} pixels in both masks, got {prediction.Length} predicted and {truth.Length} ground-truth");
        _matrix.Update(prediction, truth);
        _names.Add(name);
        if (!ComputeDistances) return;
        var distances = HausdorffDistance.PerClass(prediction, truth, height, width, NumClasses, IgnoreIndex, SurfaceMode);
        for (int c = 0; c < NumClasses; c++)
        {
            if (double.IsFinite(distances[c].Distance))
            {
                _distanceSums[c] += distances[c].Distance;
                _distance95Sums[c] += distances[c].Percentile95;
                _finiteCounts[c]++;
            }
            else if (double.IsPositiveInfinity(distances[c].Distance)) _sawInfinite[c] = true;
        }
    }

    /// <summary>The metrics of everything added since construction or the last <see cref="Reset"/>.</summary>
    public MaskEvaluation Compute()
    {
        var hd = new double[NumClasses];
        var hd95 = new double[NumClasses];
        for (int c = 0; c < NumClasses; c++)
        {
            double none = ComputeDistances && _sawInfinite[c] ? double.PositiveInfinity : double.NaN;
            hd[c] = _finiteCounts[c] > 0 ? _distanceSums[c] / _finiteCounts[c] : none;
            hd95[c] = _finiteCounts[c] > 0 ? _distance95Sums[c] / _finiteCounts[c] : none;
        }
        return new MaskEvaluation(_matrix.ComputeMetrics(), hd, hd95, _names.ToArray());
    }

    /// <summary>Forgets everything added.</summary>
    public void Reset()
    {
        _matrix.Reset();
        Array.Clear(_distanceSums);
        Array.Clear(_distance95Sums);
        Array.Clear(_finiteCounts);
        Array.Clear(_sawInfinite);
        _names.Clear();
    }

    /// <summary>Frees the confusion matrix.</summary>
    public void Dispose() => _matrix.Dispose();
}
