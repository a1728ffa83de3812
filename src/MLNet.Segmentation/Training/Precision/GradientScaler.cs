using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Training.Optimizers;

namespace MLNet.Segmentation.Training;

/// <summary>Settings of <see cref="GradientScaler"/> (torch.amp.GradScaler's defaults).</summary>
public sealed record GradientScalerOptions
{
    /// <summary>The first loss scale.</summary>
    public double InitialScale { get; init; } = 65536;

    /// <summary>Factor applied after <see cref="GrowthInterval"/> steps without overflow.</summary>
    public double GrowthFactor { get; init; } = 2;

    /// <summary>Factor applied after a step whose gradients overflowed.</summary>
    public double BackoffFactor { get; init; } = 0.5;

    /// <summary>Consecutive finite steps before the scale grows.</summary>
    public int GrowthInterval { get; init; } = 2000;
}

/// <summary>
/// Dynamic loss scaling for float16 training: multiply the loss by a large scale before backward so small gradients
/// survive in float16, divide the gradients back before the optimizer step, skip steps whose gradients overflowed and
/// lower the scale, raise it again after a run of good steps. Per step: <see cref="Scale"/> → backward →
/// (<see cref="Unscale"/> → clip) → <see cref="Step"/> → <see cref="Update"/>.
/// </summary>
public sealed class GradientScaler
{
    private readonly GradientScalerOptions _options;
    private bool _unscaled;
    private bool _foundInfinite;
    private int _goodSteps;

    /// <summary>A scaler with <paramref name="options"/> (default: torch's).</summary>
    public GradientScaler(GradientScalerOptions? options = null)
    {
        _options = options ?? new GradientScalerOptions();
        if (!(_options.InitialScale > 0) || !(_options.GrowthFactor > 1) || !(_options.BackoffFactor is > 0 and < 1) || _options.GrowthInterval < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "need InitialScale > 0, GrowthFactor > 1, 0 < BackoffFactor < 1, GrowthInterval >= 1");
        CurrentScale = _options.InitialScale;
    }

    /// <summary>The current loss scale.</summary>
    public double CurrentScale { get; private set; }

    /// <summary>Optimizer steps skipped because the gradients were not finite.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>The loss multiplied by the current scale (call Backward on this).</summary>
    public Tensor Scale(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return loss * CurrentScale;
    }

    /// <summary>
    /// Divides the optimizer's gradients by the scale in place (so they can be clipped) and records whether any is
    /// infinite or NaN. Returns true when all are finite. At most once per step.
    /// </summary>
    public bool Unscale(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (_unscaled) throw new InvalidOperationException("Unscale was already called since the last Update");
        using var scope = DisposeScope.Enter();
        using var noGrad = Autograd.NoGrad();
        var gradients = GradientList.Of(optimizer.Parameters);
        if (gradients.Count > 0)
        {
            // Multi-tensor ops when the optimizer would use them. The largest magnitude of all gradients is finite
            // exactly when every element is (a NaN or an infinity carries through), and is read back once.
            bool useForeach = gradients.UseForeach(optimizer.Foreach);
            gradients.MulInPlace(1.0 / CurrentScale, useForeach);
            _foundInfinite = !double.IsFinite(gradients.Norm(double.PositiveInfinity, useForeach).ToDouble());
        }
        _unscaled = true;
        return !_foundInfinite;
    }

    /// <summary>Unscales (unless done) and steps the optimizer when the gradients are finite; returns whether it stepped.</summary>
    public bool Step(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!_unscaled) Unscale(optimizer);
        if (_foundInfinite)
        {
            SkippedSteps++;
            return false;
        }
        optimizer.Step();
        return true;
    }

    /// <summary>Adjusts the scale after a step: back off on overflow, grow after a run of finite steps.</summary>
    public void Update()
    {
        if (!_unscaled) throw new InvalidOperationException("Update needs a Step (or Unscale) first");
        if (_foundInfinite)
        {
            CurrentScale *= _options.BackoffFactor;
            _goodSteps = 0;
        }
        else if (++_goodSteps >= _options.GrowthInterval)
        {
            CurrentScale *= _options.GrowthFactor;
            _goodSteps = 0;
        }
        _unscaled = false;
        _foundInfinite = false;
    }

    /// <summary>The scale and growth counter, for checkpoints.</summary>
    public (double Scale, int GoodSteps) State => (CurrentScale, _goodSteps);

    /// <summary>Restores <see cref="State"/>.</summary>
    public void Restore(double scale, int goodSteps)
    {
        if (!(scale > 0) || goodSteps < 0) throw new ArgumentOutOfRangeException(nameof(scale), "scale must be > 0 and the counter >= 0");
        (CurrentScale, _goodSteps) = (scale, goodSteps);
    }
}
