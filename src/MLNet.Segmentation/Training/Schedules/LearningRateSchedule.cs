using static TorchSharp.torch;

namespace MLNet.Segmentation.Training.Schedules;

/// <summary>
/// A learning rate as a function of the number of optimizer steps taken (0 before the first step), set on a TorchSharp
/// optimizer before each step. Ours rather than torch.optim.lr_scheduler: these are closed forms of the step count (the
/// Schedules fixtures check them against PyTorch's schedulers), so a resumed run needs no scheduler state beyond the step.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the update that follows <paramref name="step"/> completed steps.</summary>
    public abstract double At(long step);

    /// <summary>Sets the learning rate of every parameter group of <paramref name="optimizer"/> for the update after <paramref name="step"/> steps.</summary>
    public double Apply(optim.Optimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        double rate = At(step);
        foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;
        return rate;
    }

    /// <summary>Checks a step argument.</summary>
    protected static void RequireStep(long step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "step must be >= 0");
    }

    /// <summary>Checks a positive count.</summary>
    protected static long Positive(long value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be > 0");
}

/// <summary>A constant learning rate.</summary>
public sealed class ConstantSchedule(double learningRate) : LearningRateSchedule
{
    /// <inheritdoc />
    public override double At(long step)
    {
        RequireStep(step);
        return learningRate;
    }
}

/// <summary>Polynomial decay base·(1 − t/T)^power to 0 at T (DeepLab's "poly", power 0.9; torch PolynomialLR).</summary>
public sealed class PolySchedule(double baseLearningRate, long totalSteps, double power = 0.9) : LearningRateSchedule
{
    private readonly long _total = Positive(totalSteps, nameof(totalSteps));

    /// <inheritdoc />
    public override double At(long step)
    {
        RequireStep(step);
        return baseLearningRate * Math.Pow(1.0 - (double)Math.Min(step, _total) / _total, power);
    }
}

/// <summary>Cosine annealing from base to a minimum over T steps (torch CosineAnnealingLR's closed form).</summary>
public sealed class CosineSchedule(double baseLearningRate, long totalSteps, double minimumLearningRate = 0) : LearningRateSchedule
{
    private readonly long _total = Positive(totalSteps, nameof(totalSteps));

    /// <inheritdoc />
    public override double At(long step)
    {
        RequireStep(step);
        double t = Math.Min(step, _total);
        return minimumLearningRate + (baseLearningRate - minimumLearningRate) * (1 + Math.Cos(Math.PI * t / _total)) / 2;
    }
}

/// <summary>Multiplies the rate by gamma every stepSize steps (torch StepLR).</summary>
public sealed class StepSchedule(double baseLearningRate, long stepSize, double gamma = 0.1) : LearningRateSchedule
{
    private readonly long _stepSize = Positive(stepSize, nameof(stepSize));

    /// <inheritdoc />
    public override double At(long step)
    {
        RequireStep(step);
        return baseLearningRate * Math.Pow(gamma, step / _stepSize);
    }
}

/// <summary>
/// One-cycle policy: cosine rise from max/divFactor to max over the first pctStart of the steps, then cosine fall to
/// max/(divFactor·finalDivFactor) (torch OneCycleLR, two phases, cosine annealing).
/// </summary>
public sealed class OneCycleSchedule : LearningRateSchedule
{
    private readonly double _max, _initial, _minimum, _peakStep, _lastStep;

    /// <summary>Creates the schedule.</summary>
    public OneCycleSchedule(double maxLearningRate, long totalSteps, double pctStart = 0.3, double divFactor = 25, double finalDivFactor = 1e4)
    {
        Positive(totalSteps, nameof(totalSteps));
        if (pctStart is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(pctStart), pctStart, "pctStart must be in (0, 1)");
        _max = maxLearningRate;
        _initial = maxLearningRate / divFactor;
        _minimum = _initial / finalDivFactor;
        _peakStep = pctStart * totalSteps - 1;
        _lastStep = totalSteps - 1;
        if (_peakStep <= 0 || _lastStep <= _peakStep)
            throw new ArgumentException($"{totalSteps} steps are too few for a one-cycle schedule with pctStart {pctStart}");
    }

    private static double Anneal(double start, double end, double fraction) => end + (start - end) / 2 * (Math.Cos(Math.PI * fraction) + 1);

    /// <inheritdoc />
    public override double At(long step)
    {
        RequireStep(step);
        if (step <= _peakStep) return Anneal(_initial, _max, step / _peakStep);
        double fraction = Math.Min(1, (step - _peakStep) / (_lastStep - _peakStep));
        return Anneal(_max, _minimum, fraction);
    }
}

/// <summary>
/// Linear warm-up from startFactor·(the inner schedule's first rate) over warmupSteps, then the inner schedule restarted
/// at step 0 (torch SequentialLR of LinearLR then the inner scheduler, milestone = warmupSteps).
/// </summary>
public sealed class WarmupSchedule(LearningRateSchedule inner, long warmupSteps, double startFactor = 1.0 / 3) : LearningRateSchedule
{
    private readonly long _warmup = Positive(warmupSteps, nameof(warmupSteps));

    /// <inheritdoc />
    public override double At(long step)
    {
        RequireStep(step);
        if (step >= _warmup) return inner.At(step - _warmup);
        return inner.At(0) * (startFactor + (1 - startFactor) * step / _warmup);
    }
}
