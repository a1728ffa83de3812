using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Training.Optimizers;

/// <summary>
/// Updates a fixed list of parameters from their gradients (like torch.optim). Per-parameter state
/// (momentum buffers, moment estimates) is owned by the optimizer and released by <see cref="Dispose"/>.
/// </summary>
public abstract class Optimizer : IDisposable
{
    private readonly Dictionary<(int Index, string Name), Tensor> _state = new();

    /// <summary>Creates an optimizer over <paramref name="parameters"/> with an initial learning rate.</summary>
    protected Optimizer(IEnumerable<Tensor> parameters, double learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("the optimizer got no parameters", nameof(parameters));
        if (!(learningRate >= 0)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be >= 0");
        LearningRate = learningRate;
    }

    /// <summary>The parameters updated by <see cref="Step"/>.</summary>
    public IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The current learning rate (schedules change it between steps).</summary>
    public double LearningRate { get; set; }

    /// <summary>Number of completed <see cref="Step"/> calls.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Whether <see cref="Step"/> updates all parameters together with multi-tensor (foreach) ops: true or false as
    /// set, or, when null (the default, as torch.optim's foreach=None), only when every parameter is on a CUDA device,
    /// where one launch per op for the whole list replaces one per op and parameter. Parameters that do not share one
    /// device and dtype are updated one by one either way.
    /// </summary>
    public bool? Foreach { get; init; }

    /// <summary>Applies one update to every parameter that has a gradient.</summary>
    public void Step()
    {
        StepCount++;
        using var noGrad = Autograd.NoGrad();
        if (Foreach ?? AllOnCuda()) StepForeach();
        else StepEach();
    }

    private void StepEach()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            // One scope per parameter: its temporaries (e.g. Adam's denominator, as large as the parameter) go
            // before the next parameter's are made, instead of all of them living until the step ends.
            using var scope = DisposeScope.Enter();
            var grad = Parameters[i].Grad;
            if (grad is null) continue;
            Update(i, Parameters[i], grad);
        }
    }

    private void StepForeach()
    {
        using var scope = DisposeScope.Enter();
        var gradients = _gradients ??= new GradientList();
        gradients.Gather(Parameters);
        if (gradients.Count == 0) return;
        if (gradients.Uniform)
        {
            UpdateForeach(gradients);
            ForeachSteps++;
        }
        else UpdateEach(this, gradients);
    }

    private static void UpdateEach(Optimizer optimizer, GradientList gradients)
    {
        for (int k = 0; k < gradients.Count; k++)
        {
            using var scope = DisposeScope.Enter();
            optimizer.Update(gradients.Indices[k], gradients.Parameters[k], gradients.Grads[k]);
        }
    }

    private bool AllOnCuda()
    {
        foreach (var parameter in Parameters)
            if (parameter.Device.Type != DeviceType.Cuda) return false;
        return true;
    }

    private GradientList? _gradients;

    /// <summary>Number of <see cref="Step"/> calls that updated their parameters together, with multi-tensor ops.</summary>
    public long ForeachSteps { get; private set; }

    /// <summary>Updates parameter <paramref name="index"/> in place from <paramref name="grad"/> (inside no-grad and a dispose scope).</summary>
    protected abstract void Update(int index, Tensor parameter, Tensor grad);

    /// <summary>
    /// Updates every parameter of <paramref name="gradients"/> (one device and dtype, each with a gradient) inside
    /// no-grad and a dispose scope: the same update as <see cref="Update"/> applied to each. The built-in optimizers
    /// override it with multi-tensor ops; the default calls <see cref="Update"/> per parameter.
    /// </summary>
    private protected virtual void UpdateForeach(GradientList gradients) => UpdateEach(this, gradients);

    /// <summary>Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)).</summary>
    public void ZeroGrad()
    {
        foreach (var parameter in Parameters) parameter.ZeroGrad();
    }

    /// <summary>The state tensor <paramref name="name"/> of parameter <paramref name="index"/>, created by <paramref name="create"/> on first use.</summary>
    protected Tensor State(int index, string name, Func<Tensor> create)
    {
        var key = (index, name);
        if (!_state.TryGetValue(key, out var tensor))
        {
            tensor = create().DetachFromDisposeScope();
            _state[key] = tensor;
        }
        return tensor;
    }

    /// <summary>
    /// The optimizer state for checkpoints: tensors named "state.{parameter index}.{buffer}" (copies the caller
    /// owns) and the step count as "step".
    /// </summary>
    public Dictionary<string, Tensor> StateDict()
    {
        var dict = new Dictionary<string, Tensor>();
        foreach (var (key, tensor) in _state) dict[$"state.{key.Index}.{key.Name}"] = tensor.Clone().DetachFromDisposeScope();
        dict["step"] = Tensor.Scalar(StepCount).DetachFromDisposeScope();
        return dict;
    }

    /// <summary>Restores a state made by <see cref="StateDict"/> (values are copied).</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> dict)
    {
        ArgumentNullException.ThrowIfNull(dict);
        foreach (var tensor in _state.Values) tensor.Dispose();
        _state.Clear();
        foreach (var (key, tensor) in dict)
        {
            if (key == "step") { StepCount = tensor.ToInt64(); continue; }
            if (!key.StartsWith("state.", StringComparison.Ordinal))
                throw new InvalidDataException($"unexpected optimizer state entry '{key}'");
            string inner = key["state.".Length..];
            int dot = inner.IndexOf('.');
            if (dot <= 0 || !int.TryParse(inner[..dot], out int index) || index < 0 || index >= Parameters.Count)
                throw new InvalidDataException($"optimizer state entry '{key}' names no parameter of this optimizer");
            if (!tensor.ShapeRef.AsSpan().SequenceEqual(Parameters[index].ShapeRef))
                throw new InvalidDataException($"optimizer state '{key}' has shape {tensor.ShapeString} but parameter {index} has {Parameters[index].ShapeString}");
            _state[(index, inner[(dot + 1)..])] = tensor.Clone().DetachFromDisposeScope();
        }
    }

    /// <summary>Releases the state tensors (not the parameters).</summary>
    public void Dispose()
    {
        foreach (var tensor in _state.Values) tensor.Dispose();
        _state.Clear();
        GC.SuppressFinalize(this);
    }
}
