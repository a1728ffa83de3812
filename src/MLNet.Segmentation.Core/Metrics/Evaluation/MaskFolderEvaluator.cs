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
    public MaskEvaluation Evaluate(string predictionDirectory, string groundTruthDirectory)
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

        using var accumulator = new MaskEvaluationAccumulator(NumClasses, IgnoreIndex, ComputeDistances, SurfaceMode);
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
                accumulator.Update(prediction.Pixels, truth.Pixels, truth.Height, truth.Width, name);
            }
            catch (ArgumentException e)
            {
                string file = e.Message.StartsWith("target", StringComparison.Ordinal) ? truthPath : predictionPath;
                throw new InvalidDataException($"{file}: {e.Message}", e);
            }
        }
        return accumulator.Compute();
    }

    private SortedSet<string> Names(string directory) =>
        new(Directory.EnumerateFiles(directory, SearchPattern).Select(Path.GetFileName).OfType<string>(), StringComparer.Ordinal);

    private static void RequireDirectory(string directory, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Directory.Exists(directory)) throw new DirectoryNotFoundException($"{what} folder {directory} does not exist");
    }
}
