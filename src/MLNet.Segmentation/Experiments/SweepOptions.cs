using MLNet.Segmentation.Training;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// Settings of a <see cref="SegmentationSweep"/>: what to search, how, for how long, and where the trial log and
/// results go. A sweep rerun with the same <see cref="OutputDirectory"/> and settings continues where it stopped (the
/// budget may differ, to extend it).
/// </summary>
/// <remarks>
/// Trials run one after another, each using all of libtorch's threads (MLSEG_NUM_THREADS): on a CPU, two trials at once
/// would only share the same cores. On a machine with several GPUs a scheduler would run one trial per GPU (a
/// MaxConcurrentTrials of one per device, 1 on the CPU), each worker asking for the next job as ASHA intends; random and
/// grid trials would keep their per-trial seeds, while ASHA's promotions would then depend on the order runs finish in.
/// </remarks>
public sealed class SweepOptions
{
    /// <summary>The hyperparameters to search (default: <see cref="SegmentationSearchSpace"/>'s defaults).</summary>
    public SegmentationSearchSpace SearchSpace { get; set; } = new();

    /// <summary>How trials are chosen [successive halving].</summary>
    public SearchStrategy Strategy { get; set; } = SearchStrategy.SuccessiveHalving;

    /// <summary>When the sweep stops starting trials [20 trials].</summary>
    public SweepBudget Budget { get; set; } = SweepBudget.FromTrials(20);

    /// <summary>Seed of the trials' parameters, weights, shuffling and augmentation [42].</summary>
    public int Seed { get; set; } = 42;

    /// <summary>The validation metric trials are ranked by [mIoU].</summary>
    public SweepMetric Metric { get; set; } = SweepMetric.MeanIoU;

    /// <summary>Epochs of a trial (successive halving: of its last rung) [10].</summary>
    public int Epochs { get; set; } = 10;

    /// <summary>Successive halving: epochs of the first rung [1].</summary>
    public int MinEpochs { get; set; } = 1;

    /// <summary>Successive halving: the reduction factor eta; 1/eta of a rung's trials go on [3].</summary>
    public int Eta { get; set; } = 3;

    /// <summary>Learning-rate schedule of every trial, spanning <see cref="Epochs"/> [cosine].</summary>
    public ScheduleKind Schedule { get; set; } = ScheduleKind.Cosine;

    /// <summary>The folder of the trial log, checkpoints, best model and reports (required).</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>Where trials train; null = CUDA when available, else the CPU.</summary>
    public Device? Device { get; set; }

    /// <summary>Arithmetic precision of training.</summary>
    public TrainingPrecision Precision { get; set; } = TrainingPrecision.Float32;

    /// <summary>Per-channel normalization mean (with <see cref="Std"/>), applied in training, validation and the saved model; null = none.</summary>
    public float[]? Mean { get; set; }

    /// <summary>Per-channel normalization standard deviation.</summary>
    public float[]? Std { get; set; }

    /// <summary>Data-loading threads per trial (0: on the training thread) [1].</summary>
    public int Workers { get; set; } = 1;

    /// <summary>Free text for the top of sweep.html (e.g. the command line).</summary>
    public string? ReportNotes { get; set; }

    /// <summary>Receives the sweep's events on its thread.</summary>
    public IProgress<SweepProgress>? Progress { get; set; }

    /// <summary>A shallow copy.</summary>
    public SweepOptions Clone() => (SweepOptions)MemberwiseClone();

    /// <summary>Checks the options; throws a one-line ArgumentException.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(SearchSpace, nameof(SearchSpace));
        ArgumentNullException.ThrowIfNull(Budget, nameof(Budget));
        if (string.IsNullOrWhiteSpace(OutputDirectory)) throw new ArgumentException("SweepOptions.OutputDirectory is required: the trial log lives there");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "a trial needs at least one epoch");
        if (MinEpochs < 1 || MinEpochs > Epochs) throw new ArgumentOutOfRangeException(nameof(MinEpochs), MinEpochs, $"MinEpochs must be in 1..Epochs ({Epochs})");
        if (Eta < 2) throw new ArgumentOutOfRangeException(nameof(Eta), Eta, "eta must be >= 2");
        if (Workers is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(Workers), Workers, "Workers must be in 0..64");
        if ((Mean is null) != (Std is null)) throw new ArgumentException("SweepOptions: Mean and Std go together");
        if (Budget.Time is null && Budget.Trials is null && Budget.Epochs is null && Strategy != SearchStrategy.Grid)
            throw new ArgumentException($"a {Strategy} sweep needs a budget (time, trials or epochs); only a grid ends by itself");
        SearchSpace.Validate();
    }
}
