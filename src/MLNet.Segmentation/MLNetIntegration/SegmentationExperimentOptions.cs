using MLNet.Segmentation.Data;
using MLNet.Segmentation.Experiments;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Options of <c>mlContext.Segmentation().Experiment</c>: the columns and labels of the data (as for the trainers) and
/// the sweep itself (<see cref="Sweep"/>: search space, strategy, budget, seed, output folder).
/// </summary>
public sealed class SegmentationExperimentOptions : SegmentationDataOptions
{
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
