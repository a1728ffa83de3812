using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

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
/// Dynamic loss scaling for float16 training (TorchSharp 0.107 has no GradScaler): multiply the loss by a large scale
/// before backward so small gradients survive in float16, divide the gradients back before the optimizer step, skip
/// steps whose gradients overflowed and lower the scale, raise it again after a run of good steps. Per step:
/// <see cref="Scale"/> → backward → (<see cref="Unscale"/> → clip) → <see cref="Step"/> → <see cref="Update"/>.
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

    /// <summary>The loss multiplied by the current scale (call backward on this).</summary>
    public Tensor Scale(Tensor loss)
    {
        ArgumentNullException.ThrowIfNull(loss);
        return loss.Times(CurrentScale);
    }

    /// <summary>
    /// Divides the gradients of <paramref name="parameters"/> by the scale in place (so they can be clipped) and records
    /// whether any is infinite or NaN. Returns true when all are finite. At most once per step.
    /// </summary>
    public bool Unscale(IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (_unscaled) throw new InvalidOperationException("Unscale was already called since the last Update");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var gradients = parameters.Select(p => p.grad).Where(g => g is not null).Select(g => g!).ToList();
        if (gradients.Count > 0)
        {
            // The largest magnitude of all gradients is finite exactly when every element is (NaN and infinity carry
            // through max), read back once; float64 so that finite float32 values never overflow in the combination.
            var largest = new List<Tensor>(gradients.Count);
            foreach (var g in gradients)
            {
                g.TimesInPlace(1.0 / CurrentScale);
                largest.Add(g.abs().max().to_type(ScalarType.Float64));
            }
            _foundInfinite = !double.IsFinite(stack(largest).max().item<double>());
        }
        _unscaled = true;
        return !_foundInfinite;
    }

    /// <summary>Unscales (unless done) and steps the optimizer when the gradients are finite; returns whether it stepped.</summary>
    public bool Step(optim.Optimizer optimizer, IEnumerable<Tensor> parameters)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (!_unscaled) Unscale(parameters);
        if (_foundInfinite)
        {
            SkippedSteps++;
            return false;
        }
        optimizer.step();
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
