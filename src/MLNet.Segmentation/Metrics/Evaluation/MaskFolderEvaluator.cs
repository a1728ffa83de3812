using MLNet.Segmentation.Metrics.Distance;

namespace MLNet.Segmentation.Metrics.Evaluation;

/// <summary>
/// Evaluates every pair of masks with the same file name in a prediction folder and a ground-truth folder (pixel
/// value = class id). Decoding is injected (<c>readMask</c>), so any image reader can be used. Bad input throws
/// <see cref="InvalidDataException"/> (or <see cref="FileNotFoundException"/>) with a message naming the file.
/// </summary>
public sealed class MaskFolderEvaluator
{
    private readonly Func<string, DecodedMask> _readMask;

    /// <summary>An evaluator for <paramref name="numClasses"/> classes that reads masks with <paramref name="readMask"/>.</summary>
    public MaskFolderEvaluator(int numClasses, Func<string, DecodedMask> readMask, long? ignoreIndex = null)
    {
        ArgumentNullException.ThrowIfNull(readMask);
        if (numClasses < 1 || numClasses > ConfusionMatrix.MaxClasses)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, $"the number of classes must be between 1 and {ConfusionMatrix.MaxClasses}");
        NumClasses = numClasses;
        IgnoreIndex = ignoreIndex;
        _readMask = readMask;
    }

    /// <summary>The number of classes K.</summary>
    public int NumClasses { get; }

    /// <summary>The ground-truth id that is not counted, or null.</summary>
    public long? IgnoreIndex { get; }

    /// <summary>Whether per-class Hausdorff distances are computed (default true; costs a distance transform per class and image).</summary>
    public bool ComputeDistances { get; init; } = true;

    /// <summary>Points entering the Hausdorff distances (default all foreground pixels).</summary>
    public SurfaceMode SurfaceMode { get; init; } = SurfaceMode.AllPixels;

    /// <summary>File pattern of the masks (default "*.png").</summary>
    public string SearchPattern { get; init; } = "*.png";

    /// <summary>Evaluates all pairs; every file in either folder must have its partner in the other.</summary>
    public FolderEvaluation Evaluate(string predictionDirectory, string groundTruthDirectory)
    {
        RequireDirectory(predictionDirectory, "prediction");
        RequireDirectory(groundTruthDirectory, "ground-truth");
        var predictions = Names(predictionDirectory);
        var truths = Names(groundTruthDirectory);
        foreach (string name in predictions)
            if (!truths.Contains(name))
                throw new FileNotFoundException($"{Path.Combine(predictionDirectory, name)}: no ground-truth mask with the same name in {groundTruthDirectory}");
        foreach (string name in truths)
            if (!predictions.Contains(name))
                throw new FileNotFoundException($"{Path.Combine(groundTruthDirectory, name)}: no predicted mask with the same name in {predictionDirectory}");
        if (predictions.Count == 0)
            throw new InvalidDataException($"no {SearchPattern} masks in {predictionDirectory} and {groundTruthDirectory}");

        using var matrix = new ConfusionMatrix(NumClasses, IgnoreIndex);
        var distanceSums = new double[NumClasses];
        var distance95Sums = new double[NumClasses];
        var finiteCounts = new int[NumClasses];
        var sawInfinite = new bool[NumClasses];
        foreach (string name in predictions)
        {
            string predictionPath = Path.Combine(predictionDirectory, name);
            string truthPath = Path.Combine(groundTruthDirectory, name);
            var prediction = _readMask(predictionPath);
            var truth = _readMask(truthPath);
            if (prediction.Height != truth.Height || prediction.Width != truth.Width)
                throw new InvalidDataException($"{predictionPath} is {prediction.Width}x{prediction.Height} but {truthPath} is {truth.Width}x{truth.Height}");
            try
            {
                matrix.Update(prediction.Pixels, truth.Pixels);
            }
            catch (ArgumentException e)
            {
                string file = e.Message.StartsWith("target", StringComparison.Ordinal) ? truthPath : predictionPath;
                throw new InvalidDataException($"{file}: {e.Message}", e);
            }
            if (!ComputeDistances) continue;
            var distances = HausdorffDistance.PerClass(prediction.Pixels, truth.Pixels, truth.Height, truth.Width, NumClasses, IgnoreIndex, SurfaceMode);
            for (int c = 0; c < NumClasses; c++)
            {
                if (double.IsFinite(distances[c].Distance))
                {
                    distanceSums[c] += distances[c].Distance;
                    distance95Sums[c] += distances[c].Percentile95;
                    finiteCounts[c]++;
                }
                else if (double.IsPositiveInfinity(distances[c].Distance)) sawInfinite[c] = true;
            }
        }

        var hd = new double[NumClasses];
        var hd95 = new double[NumClasses];
        for (int c = 0; c < NumClasses; c++)
        {
            double none = ComputeDistances && sawInfinite[c] ? double.PositiveInfinity : double.NaN;
            hd[c] = finiteCounts[c] > 0 ? distanceSums[c] / finiteCounts[c] : none;
            hd95[c] = finiteCounts[c] > 0 ? distance95Sums[c] / finiteCounts[c] : none;
        }
        return new FolderEvaluation(matrix.ComputeMetrics(), hd, hd95, predictions.ToArray());
    }

    private SortedSet<string> Names(string directory) =>
        new(Directory.EnumerateFiles(directory, SearchPattern).Select(Path.GetFileName).OfType<string>(), StringComparer.Ordinal);

    private static void RequireDirectory(string directory, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{what} folder {directory} does not exist");
    }
}
