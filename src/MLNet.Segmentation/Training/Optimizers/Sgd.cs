using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>Options of <see cref="Sgd"/> (defaults as torch.optim.SGD, with a usual segmentation learning rate).</summary>
public sealed record SgdOptions
{
    /// <summary>Learning rate.</summary>
    public double LearningRate { get; init; } = 0.01;
    /// <summary>Momentum factor (0 = plain SGD).</summary>
    public double Momentum { get; init; }
    /// <summary>Dampening of the momentum.</summary>
    public double Dampening { get; init; }
    /// <summary>L2 penalty added to the gradient.</summary>
    public double WeightDecay { get; init; }
    /// <summary>Nesterov momentum (needs momentum &gt; 0 and no dampening).</summary>
    public bool Nesterov { get; init; }
}

/// <summary>Stochastic gradient descent with momentum, Nesterov and weight decay (torch.optim.SGD's update rule).</summary>
public sealed class Sgd : Optimizer
{
    private readonly SgdOptions _options;

    /// <summary>Creates the optimizer.</summary>
    public Sgd(IEnumerable<Tensor> parameters, SgdOptions? options = null)
        : base(parameters, (options ?? new SgdOptions()).LearningRate)
    {
        _options = options ?? new SgdOptions();
        if (_options.Momentum < 0) throw new ArgumentOutOfRangeException(nameof(options), "momentum must be >= 0");
        if (_options.WeightDecay < 0) throw new ArgumentOutOfRangeException(nameof(options), "weight decay must be >= 0");
        if (_options.Nesterov && (_options.Momentum <= 0 || _options.Dampening != 0))
            throw new ArgumentException("Nesterov momentum needs momentum > 0 and zero dampening", nameof(options));
    }

    /// <inheritdoc />
    protected override void Update(int index, Tensor parameter, Tensor grad)
    {
        var step = _options.WeightDecay != 0 ? grad.Add(parameter, _options.WeightDecay) : grad;
        if (_options.Momentum != 0)
        {
            bool first = false;
            var buffer = State(index, "momentum_buffer", () => { first = true; return step.Clone(); });
            if (!first) buffer.MulInPlace(_options.Momentum).AddInPlace(step, 1 - _options.Dampening);
            step = _options.Nesterov ? step.Add(buffer, _options.Momentum) : buffer;
        }
        parameter.AddInPlace(step, -LearningRate);
    }

    private PinnedTensorList? _steps, _buffers, _continuing, _continuingSteps, _nesterovSteps;

    /// <inheritdoc />
    private protected override void UpdateForeach(GradientList gradients)
    {
        // The same sequence of ops as Update, each over the whole list.
        var parameters = gradients.Parameters;
        var steps = _options.WeightDecay != 0
            ? PinnedTensorList.Refill(ref _steps, Engine.Foreach.Add(gradients.Grads, parameters, _options.WeightDecay))
            : gradients.Grads;
        if (_options.Momentum != 0)
        {
            _buffers ??= new PinnedTensorList(gradients.Count);
            _continuing ??= new PinnedTensorList(gradients.Count);
            _continuingSteps ??= new PinnedTensorList(gradients.Count);
            _buffers.Clear();
            _continuing.Clear();
            _continuingSteps.Clear();
            for (int k = 0; k < gradients.Count; k++)
            {
                bool first = false;
                var step = steps[k];
                var buffer = State(gradients.Indices[k], "momentum_buffer", () => { first = true; return step.Clone(); });
                _buffers.Add(buffer);
                if (first) continue;
                _continuing.Add(buffer);
                _continuingSteps.Add(step);
            }
            if (_continuing.Count > 0)
            {
                Engine.Foreach.MulInPlace(_continuing, _options.Momentum);
                Engine.Foreach.AddInPlace(_continuing, _continuingSteps, 1 - _options.Dampening);
            }
            steps = _options.Nesterov
                ? PinnedTensorList.Refill(ref _nesterovSteps, Engine.Foreach.Add(steps, _buffers, _options.Momentum))
                : _buffers;
        }
        Engine.Foreach.AddInPlace(parameters, steps, -LearningRate);
        // The temporaries go with the step's scope: keep no reference to them.
        _steps?.Clear();
        _continuingSteps?.Clear();
        _nesterovSteps?.Clear();
    }
}
