using MLNet.Segmentation.Data;
using MLNet.Segmentation.Experiments;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Options of <c>mlContext.Segmentation().Experiment</c>: the columns and labels of the data (as for the trainers) and
/// the sweep itself (<see cref="Sweep"/>: search space, strategy, budget, seed, output folder).
/// </summary>
public sealed class SegmentationExperimentOptions
{
    /// <summary>The input image column (an MLImage, a path, PNG/JPEG bytes or pixels with <see cref="PixelLayout"/>).</summary>
    public string ImageColumnName { get; set; } = "Image";

    /// <summary>The ground-truth mask column (as <see cref="SegmentationTrainerOptions.LabelColumnName"/>).</summary>
    public string LabelColumnName { get; set; } = "Label";

    /// <summary>The best model's output column of class ids.</summary>
    public string PredictedLabelColumnName { get; set; } = "PredictedLabel";

    /// <summary>The best model's output column of class probabilities, or null for none.</summary>
    public string? ScoreColumnName { get; set; }

    /// <summary>Number of classes K.</summary>
    public int NumberOfClasses { get; set; } = 2;

    /// <summary>Class names (default "class 0", ...), stored in the model.</summary>
    public IReadOnlyList<string>? ClassNames { get; set; }

    /// <summary>Mask id excluded from the loss and metrics, or null.</summary>
    public long? IgnoreIndex { get; set; }

    /// <summary>How undecoded masks store ids (default: detected).</summary>
    public MaskEncoding MaskEncoding { get; set; } = MaskEncoding.Auto;

    /// <summary>Image channels (1 gray, 3 RGB).</summary>
    public int ImageChannels { get; set; } = 3;

    /// <summary>Shape of a pixel-vector image column.</summary>
    public PixelLayout? PixelLayout { get; set; }

    /// <summary>
    /// The sweep: search space, strategy, budget, epochs, seed and output folder (required), normalization, progress.
    /// Its seed, not the MLContext's, seeds the trials: a sweep folder is continued only with the seed it began with.
    /// The device is the MLContext's (GpuDeviceId, FallbackToCpu) unless <see cref="SweepOptions.Device"/> is set.
    /// </summary>
    public SweepOptions Sweep { get; set; } = new();

    internal SegmentationTrainerOptions TrainerOptions() => new()
    {
        ImageColumnName = ImageColumnName, LabelColumnName = LabelColumnName, PredictedLabelColumnName = PredictedLabelColumnName,
        ScoreColumnName = ScoreColumnName, NumberOfClasses = NumberOfClasses, ClassNames = ClassNames, IgnoreIndex = IgnoreIndex,
        MaskEncoding = MaskEncoding, ImageChannels = ImageChannels, PixelLayout = PixelLayout, Mean = Sweep?.Mean, Std = Sweep?.Std,
    };
}
