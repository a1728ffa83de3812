using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Experiments;

/// <summary>What a sweep progress event reports.</summary>
public enum SweepProgressKind
{
    /// <summary>A training run starts (a new trial, a promotion, or a run resumed from its checkpoint).</summary>
    RunStarted,
    /// <summary>An epoch of the run ended (with its validation metrics in <see cref="SweepProgress.Training"/>).</summary>
    Epoch,
    /// <summary>The run ended and its entry was logged (<see cref="SweepProgress.Entry"/>).</summary>
    RunFinished,
}

/// <summary>A progress event of <see cref="SegmentationSweep.Run"/>, reported on the sweep's thread.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Trial">The trial number.</param>
/// <param name="Rung">The successive-halving rung, or null.</param>
/// <param name="Parameters">The trial's hyperparameters.</param>
/// <param name="TargetEpochs">The epochs the run trains to.</param>
/// <param name="Training">The trainer's epoch event (for <see cref="SweepProgressKind.Epoch"/>).</param>
/// <param name="Entry">The logged entry (for <see cref="SweepProgressKind.RunFinished"/>).</param>
public sealed record SweepProgress(SweepProgressKind Kind, int Trial, int? Rung, TrialParameters Parameters, int TargetEpochs,
    TrainingProgress? Training = null, TrialLogEntry? Entry = null);
