using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>Options of <see cref="Adam"/> and AdamW (defaults as torch.optim.Adam / AdamW).</summary>
public sealed record AdamOptions
{
    /// <summary>Learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;
    /// <summary>Decay of the first-moment estimate.</summary>
    public double Beta1 { get; init; } = 0.9;
    /// <summary>Decay of the second-moment estimate.</summary>
    public double Beta2 { get; init; } = 0.999;
    /// <summary>Added to the denominator for stability.</summary>
    public double Epsilon { get; init; } = 1e-8;
    /// <summary>Weight decay: an L2 gradient term for Adam, decoupled shrinkage for AdamW (PyTorch's AdamW default is 0.01).</summary>
    public double WeightDecay { get; init; }
    /// <summary>True for AdamW's decoupled weight decay.</summary>
    public bool Decoupled { get; init; }
}

/// <summary>Adam, and AdamW when <see cref="AdamOptions.Decoupled"/> (torch.optim.Adam / AdamW update rules).</summary>
public sealed class Adam : Optimizer
{
    private readonly AdamOptions _options;

    /// <summary>Creates the optimizer.</summary>
    public Adam(IEnumerable<Tensor> parameters, AdamOptions? options = null)
        : base(parameters, (options ?? new AdamOptions()).LearningRate)
    {
        _options = options ?? new AdamOptions();
        if (_options.Beta1 is < 0 or >= 1 || _options.Beta2 is < 0 or >= 1)
            throw new ArgumentOutOfRangeException(nameof(options), "betas must be in [0, 1)");
        if (!(_options.Epsilon > 0)) throw new ArgumentOutOfRangeException(nameof(options), "epsilon must be > 0");
    }

    /// <summary>AdamW: Adam with decoupled weight decay (default 0.01 as in PyTorch).</summary>
    public static Adam W(IEnumerable<Tensor> parameters, double learningRate = 1e-3, double weightDecay = 0.01) =>
        new(parameters, new AdamOptions { LearningRate = learningRate, WeightDecay = weightDecay, Decoupled = true });

    /// <inheritdoc />
    protected override void Update(int index, Tensor parameter, Tensor grad)
    {
        if (_options.WeightDecay != 0)
        {
            if (_options.Decoupled) parameter.MulInPlace(1 - LearningRate * _options.WeightDecay);
            else grad = grad.Add(parameter, _options.WeightDecay);
        }
        var m = State(index, "exp_avg", parameter.ZerosLike);
        var v = State(index, "exp_avg_sq", parameter.ZerosLike);
        m.MulInPlace(_options.Beta1).AddInPlace(grad, 1 - _options.Beta1);
        v.MulInPlace(_options.Beta2).AddcmulInPlace(grad, grad, 1 - _options.Beta2);
        double correction1 = 1 - Math.Pow(_options.Beta1, StepCount);
        double correction2 = 1 - Math.Pow(_options.Beta2, StepCount);
        var denominator = v.Sqrt().MulInPlace(1 / Math.Sqrt(correction2)).AddInPlace(_options.Epsilon);
        parameter.AddcdivInPlace(m, denominator, -LearningRate / correction1);
    }

    private PinnedTensorList? _grads, _firstMoments, _secondMoments, _denominators;

    /// <inheritdoc />
    private protected override void UpdateForeach(GradientList gradients)
    {
        // The same sequence of ops as Update, each over the whole list.
        var parameters = gradients.Parameters;
        var grads = gradients.Grads;
        if (_options.WeightDecay != 0)
        {
            if (_options.Decoupled) Engine.Foreach.MulInPlace(parameters, 1 - LearningRate * _options.WeightDecay);
            else grads = PinnedTensorList.Refill(ref _grads, Engine.Foreach.Add(grads, parameters, _options.WeightDecay));
        }
        var m = StateList(ref _firstMoments, gradients, "exp_avg");
        var v = StateList(ref _secondMoments, gradients, "exp_avg_sq");
        Engine.Foreach.MulInPlace(m, _options.Beta1);
        Engine.Foreach.AddInPlace(m, grads, 1 - _options.Beta1);
        Engine.Foreach.MulInPlace(v, _options.Beta2);
        Engine.Foreach.AddcmulInPlace(v, grads, grads, 1 - _options.Beta2);
        double correction1 = 1 - Math.Pow(_options.Beta1, StepCount);
        double correction2 = 1 - Math.Pow(_options.Beta2, StepCount);
        var denominators = PinnedTensorList.Refill(ref _denominators, Engine.Foreach.Sqrt(v));
        Engine.Foreach.MulInPlace(denominators, 1 / Math.Sqrt(correction2));
        Engine.Foreach.AddInPlace(denominators, _options.Epsilon);
        Engine.Foreach.AddcdivInPlace(parameters, m, denominators, -LearningRate / correction1);
        _grads?.Clear(); // the temporaries go with the step's scope: keep no reference to them
        denominators.Clear();
    }

    private PinnedTensorList StateList(ref PinnedTensorList? list, GradientList gradients, string name)
    {
        list ??= new PinnedTensorList(gradients.Count);
        list.Clear();
        for (int k = 0; k < gradients.Count; k++) list.Add(State(gradients.Indices[k], name, gradients.Parameters[k].ZerosLike));
        return list;
    }
}
