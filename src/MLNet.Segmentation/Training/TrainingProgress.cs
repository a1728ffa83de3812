using MLNet.Segmentation.Metrics;

namespace MLNet.Segmentation.Training;

/// <summary>What a progress event reports.</summary>
public enum ProgressKind
{
    /// <summary>After an optimizer step.</summary>
    Step,
    /// <summary>After an epoch and its validation.</summary>
    EpochEnd,
}

/// <summary>A progress event of <see cref="SegmentationTrainer.Fit"/> (images/s: training steps only, validation left out).</summary>
public sealed record TrainingProgress(
    ProgressKind Kind,
    int Epoch,
    int Epochs,
    int Step,
    int StepsPerEpoch,
    double Loss,
    double LearningRate,
    double ImagesPerSecond,
    TimeSpan EstimatedRemaining,
    SegmentationMetrics? Validation = null);

/// <summary>The record of one epoch.</summary>
public sealed record EpochRecord(int Epoch, double TrainLoss, double LearningRate, double? ValidationMeanIoU,
    double? ValidationPixelAccuracy, double Seconds);

/// <summary>The outcome of <see cref="SegmentationTrainer.Fit"/>.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, int BestEpoch, double BestValidationMeanIoU,
    bool StoppedEarly, SegmentationMetrics? FinalValidation);
