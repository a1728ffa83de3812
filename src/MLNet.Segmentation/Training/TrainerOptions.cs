using static TorchSharp.torch;

namespace MLNet.Segmentation.Training;

/// <summary>Which optimizer the trainer builds.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with momentum (0.9 by default) and optional Nesterov.</summary>
    Sgd,
    /// <summary>Adam.</summary>
    Adam,
    /// <summary>AdamW (decoupled weight decay).</summary>
    AdamW,
}

/// <summary>Which learning-rate schedule the trainer builds (over all steps of all epochs).</summary>
public enum ScheduleKind
{
    /// <summary>Constant.</summary>
    Constant,
    /// <summary>Polynomial decay (power 0.9).</summary>
    Poly,
    /// <summary>Cosine annealing to 0.</summary>
    Cosine,
    /// <summary>×0.1 every third of the run.</summary>
    Step,
    /// <summary>One-cycle.</summary>
    OneCycle,
}

/// <summary>Options of <see cref="SegmentationTrainer"/>, with defaults that suit a small U-Net.</summary>
public sealed record TrainerOptions
{
    /// <summary>Number of classes K (logits have K channels).</summary>
    public required int NumClasses { get; init; }

    /// <summary>Passes over the training data.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Optimizer.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>Base (peak, for one-cycle) learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Weight decay (L2 for SGD/Adam, decoupled for AdamW).</summary>
    public double WeightDecay { get; init; }

    /// <summary>SGD momentum.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>SGD Nesterov momentum.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Learning-rate schedule.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Poly;

    /// <summary>Linear warm-up steps before the schedule (0 = none).</summary>
    public int WarmupSteps { get; init; }

    /// <summary>Clip the global gradient norm to this value (null = no clipping).</summary>
    public double? ClipGradientNorm { get; init; }

    /// <summary>
    /// Drop the gradients after each optimizer step instead of zeroing them before the next (PyTorch's
    /// <c>zero_grad(set_to_none=True)</c>), so that they take no memory during the next forward pass (default: true).
    /// </summary>
    public bool GradientsToNone { get; init; } = true;

    /// <summary>Class id ignored by validation metrics (the loss has its own setting).</summary>
    public long? IgnoreIndex { get; init; }

    /// <summary>
    /// End this Fit after epoch <c>StopAfterEpochs</c> (counted from the start of training, not from a resume point), as a
    /// pause: the learning-rate schedule still spans <see cref="Epochs"/>, and a resumed Fit continues from the checkpoint
    /// (successive halving trains a trial rung by rung this way). Null: train all epochs.
    /// </summary>
    public int? StopAfterEpochs { get; init; }

    /// <summary>Stop when validation mIoU has not improved for this many epochs (null = never).</summary>
    public int? EarlyStoppingPatience { get; init; }

    /// <summary>Folder for checkpoint.safetensors (each epoch) and best.safetensors (best validation mIoU); null = none.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Where training runs; null = CUDA when available, else CPU.</summary>
    public Device? Device { get; init; }

    /// <summary>Arithmetic precision: float32, or autocast to bfloat16 (CPU/CUDA) or float16 with loss scaling (CUDA).</summary>
    public TrainingPrecision Precision { get; init; } = TrainingPrecision.Float32;

    /// <summary>
    /// Wall-time budget of the run (training steps and validations; null = none). After each epoch's steps the trainer
    /// plans how many epochs fit (<see cref="TimeBudgetPlan"/>, at most <see cref="Epochs"/>), sizes the learning-rate
    /// schedule to them and stops after the last planned epoch. The first epoch runs under the schedule sized to
    /// <see cref="Epochs"/> (a warm-up that covers it makes the two the same); the final epoch's validation is not part
    /// of the plan, so a run may pass the budget by one validation.
    /// </summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Validate every this many epochs, and after the last one (1 = every epoch).</summary>
    public int ValidationInterval { get; init; } = 1;

    /// <summary>
    /// Whether the model ends with the weights of its best validated epoch (true) or with those of its last epoch
    /// (false: the honest choice when the validation set is also the one reported).
    /// </summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>The clock behind epoch times, images/s and <see cref="TimeBudget"/> (tests substitute a fake one).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Seed of libtorch's default generators (dropout) at the start of training (torch.manual_seed).</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks the options.</summary>
    public void Validate()
    {
        if (NumClasses < 1) throw new ArgumentOutOfRangeException(nameof(NumClasses), NumClasses, "need at least one class");
        if (Epochs < 1) throw new ArgumentOutOfRangeException(nameof(Epochs), Epochs, "need at least one epoch");
        if (!(LearningRate > 0)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "learning rate must be > 0");
        if (WarmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "warm-up steps must be >= 0");
        if (ClipGradientNorm is <= 0) throw new ArgumentOutOfRangeException(nameof(ClipGradientNorm), ClipGradientNorm, "clip norm must be > 0");
        if (TimeBudget is { } budget && budget <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(TimeBudget), budget, "the time budget must be > 0");
        if (ValidationInterval < 1) throw new ArgumentOutOfRangeException(nameof(ValidationInterval), ValidationInterval, "validation interval must be >= 1");
        ArgumentNullException.ThrowIfNull(Clock, nameof(Clock));
        if (StopAfterEpochs is < 1) throw new ArgumentOutOfRangeException(nameof(StopAfterEpochs), StopAfterEpochs, "StopAfterEpochs must be >= 1");
        if (EarlyStoppingPatience is < 1) throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "patience must be >= 1");
    }
}
