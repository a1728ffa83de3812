using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// A network layer or model, like torch.nn.Module: it owns named parameters, buffers and child modules, has a
/// train/eval mode, moves to a device or dtype, and exposes a state dict with PyTorch's dotted names.
/// Parameters and buffers are detached from any <see cref="DisposeScope"/> and are released by <see cref="Dispose()"/>.
/// </summary>
public abstract class Module : IDisposable
{
    private readonly OrderedDictionary<string, Tensor> _parameters = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, Tensor> _buffers = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, Module> _children = new(StringComparer.Ordinal);
    private bool _disposed;

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool IsTraining { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>Same as <see cref="Forward"/>.</summary>
    public Tensor Call(Tensor input) => Forward(input);

    // ---------------------------------------------------------------- registration

    /// <summary>Registers (or replaces) a parameter: the module takes ownership and gradients are recorded.</summary>
    protected Tensor RegisterParameter(string name, Tensor tensor, bool requiresGrad = true)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.DetachFromDisposeScope();
        if (tensor.RequiresGrad != requiresGrad) tensor.RequiresGrad = requiresGrad;
        if (_parameters.TryGetValue(name, out var old) && !ReferenceEquals(old, tensor)) old.Dispose();
        _parameters[name] = tensor;
        return tensor;
    }

    /// <summary>Registers (or replaces) a buffer: state saved in the state dict but not trained (e.g. running statistics).</summary>
    protected Tensor RegisterBuffer(string name, Tensor tensor)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.DetachFromDisposeScope();
        if (_buffers.TryGetValue(name, out var old) && !ReferenceEquals(old, tensor)) old.Dispose();
        _buffers[name] = tensor;
        return tensor;
    }

    /// <summary>Registers a child module under <paramref name="name"/> (its names get the prefix "name.").</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        if (_children.TryGetValue(name, out var old) && !ReferenceEquals(old, module)) old.Dispose();
        _children[name] = module;
        if (module.IsTraining != IsTraining) module.Train(IsTraining);
        return module;
    }

    private static void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"'{name}' is not a valid name: names are non-empty and contain no '.'", nameof(name));
    }

    /// <summary>The parameter registered as <paramref name="name"/> on this module.</summary>
    protected Tensor Parameter(string name) => _parameters.TryGetValue(name, out var t)
        ? t : throw new KeyNotFoundException($"{GetType().Name} has no parameter '{name}'");

    /// <summary>The parameter registered as <paramref name="name"/>, or null.</summary>
    protected Tensor? OptionalParameter(string name) => _parameters.GetValueOrDefault(name);

    /// <summary>The buffer registered as <paramref name="name"/> on this module.</summary>
    protected Tensor Buffer(string name) => _buffers.TryGetValue(name, out var t)
        ? t : throw new KeyNotFoundException($"{GetType().Name} has no buffer '{name}'");

    /// <summary>The buffer registered as <paramref name="name"/>, or null.</summary>
    protected Tensor? OptionalBuffer(string name) => _buffers.GetValueOrDefault(name);

    /// <summary>The child module registered as <paramref name="name"/>.</summary>
    public Module Child(string name) => _children.TryGetValue(name, out var m)
        ? m : throw new KeyNotFoundException($"{GetType().Name} has no child module '{name}'");

    /// <summary>The number of direct children.</summary>
    protected int ChildCount => _children.Count;

    // ---------------------------------------------------------------- enumeration

    /// <summary>Every parameter of this module and its descendants, with dotted names ("layer1.0.conv1.weight").</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedParameters() => Named(m => m._parameters, "");

    /// <summary>Every parameter of this module and its descendants.</summary>
    public IEnumerable<Tensor> Parameters() => NamedParameters().Select(p => p.Tensor);

    /// <summary>Every buffer of this module and its descendants, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> NamedBuffers() => Named(m => m._buffers, "");

    /// <summary>The direct children with their names.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => _children.Select(c => (c.Key, c.Value));

    /// <summary>This module ("" ) and every descendant with its dotted path, depth first.</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules()
    {
        yield return ("", this);
        foreach (var (name, child) in _children)
            foreach (var (sub, module) in child.NamedModules())
                yield return (sub.Length == 0 ? name : name + "." + sub, module);
    }

    private IEnumerable<(string, Tensor)> Named(Func<Module, OrderedDictionary<string, Tensor>> select, string prefix)
    {
        foreach (var (name, tensor) in select(this)) yield return (prefix + name, tensor);
        foreach (var (name, child) in _children)
            foreach (var item in child.Named(select, prefix + name + "."))
                yield return item;
    }

    /// <summary>The number of parameter elements (weights), trainable or not.</summary>
    public long ParameterCount => Parameters().Sum(p => p.NumberOfElements);

    /// <summary>The number of parameter elements that record gradients.</summary>
    public long TrainableParameterCount => Parameters().Where(p => p.RequiresGrad).Sum(p => p.NumberOfElements);

    // ---------------------------------------------------------------- modes

    /// <summary>Sets training mode (or eval mode with false) on this module and every descendant; returns this.</summary>
    public Module Train(bool training = true)
    {
        IsTraining = training;
        foreach (var child in _children.Values) child.Train(training);
        return this;
    }

    /// <summary>Sets eval mode (BatchNorm uses running statistics, dropout is off); returns this.</summary>
    public Module Eval() => Train(false);

    /// <summary>Switches gradient recording of every parameter (false freezes the module, e.g. a pre-trained backbone).</summary>
    public void SetRequiresGrad(bool requiresGrad)
    {
        foreach (var p in Parameters()) p.RequiresGrad = requiresGrad;
    }

    /// <summary>Drops the accumulated gradient of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    // ---------------------------------------------------------------- device and dtype

    /// <summary>Moves every parameter and buffer to <paramref name="device"/>; returns this.</summary>
    public Module To(Device device) => Convert(t => t.To(device), floatingOnly: false);

    /// <summary>Converts every floating-point parameter and buffer to <paramref name="dtype"/> (integer buffers keep theirs); returns this.</summary>
    public Module To(DType dtype)
    {
        if (!dtype.IsFloatingPoint()) throw new ArgumentException($"modules convert to floating-point dtypes only, not {dtype}", nameof(dtype));
        return Convert(t => t.To(dtype), floatingOnly: true);
    }

    /// <summary>
    /// Lays out every 4-D floating-point parameter and buffer (convolution kernels) in <paramref name="format"/>; returns this.
    /// With <see cref="MemoryFormat.ChannelsLast"/> and channels-last input, convolutions run without layout reorders.
    /// The tensors keep their identity (their data is swapped in place, as PyTorch's <c>module.to(memory_format=...)</c>),
    /// so an optimizer created before this call still updates them.
    /// </summary>
    public Module To(MemoryFormat format)
    {
        using (Autograd.NoGrad())
        {
            foreach (var (_, module) in NamedModules())
            foreach (var tensor in module._parameters.Values.Concat(module._buffers.Values))
            {
                if (tensor.Dim != 4 || !tensor.DType.IsFloatingPoint() || tensor.IsContiguous(format)) continue;
                using var laidOut = tensor.Contiguous(format);
                tensor.SetData(laidOut);
            }
        }
        return this;
    }

    private Module Convert(Func<Tensor, Tensor> convert, bool floatingOnly)
    {
        using (Autograd.NoGrad())
        {
            foreach (var (_, module) in NamedModules())
            {
                foreach (var name in module._parameters.Keys.ToList())
                {
                    var old = module._parameters[name];
                    if (floatingOnly && !old.DType.IsFloatingPoint()) continue;
                    bool requiresGrad = old.RequiresGrad;
                    var moved = convert(old).DetachFromDisposeScope();
                    if (ReferenceEquals(moved, old)) continue;
                    moved.RequiresGrad = requiresGrad;
                    old.Dispose();
                    module._parameters[name] = moved;
                }
                foreach (var name in module._buffers.Keys.ToList())
                {
                    var old = module._buffers[name];
                    if (floatingOnly && !old.DType.IsFloatingPoint()) continue;
                    var converted = convert(old);
                    if (ReferenceEquals(converted, old)) continue;
                    module._buffers[name] = converted.DetachFromDisposeScope();
                    old.Dispose();
                }
            }
        }
        return this;
    }

    // ---------------------------------------------------------------- state dict

    /// <summary>
    /// Parameters and buffers by dotted name (PyTorch's state_dict order). Entries are new handles sharing the module's
    /// storage (or independent copies when <paramref name="copy"/>); dispose the result to release the handles.
    /// </summary>
    public StateDict StateDict(bool copy = false)
    {
        var dict = new StateDict();
        using (Autograd.NoGrad())
        {
            foreach (var (name, module) in NamedModules())
            {
                string prefix = name.Length == 0 ? "" : name + ".";
                foreach (var (p, t) in module._parameters) dict.Add(prefix + p, copy ? t.Detach().Clone() : t.Detach());
                foreach (var (b, t) in module._buffers) dict.Add(prefix + b, copy ? t.Detach().Clone() : t.Detach());
            }
        }
        return dict;
    }

    /// <summary>
    /// Copies tensors from <paramref name="source"/> into this module's parameters and buffers (converting dtype and device).
    /// Strict mode requires an exact match of names and shapes and throws <see cref="StateDictMismatchException"/> before
    /// copying anything; non-strict mode copies what matches and reports the rest (e.g. loading a backbone only).
    /// </summary>
    public StateDictLoadReport LoadStateDict(IReadOnlyDictionary<string, Tensor> source, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(source);
        var targets = NamedParameters().Concat(NamedBuffers()).ToList();
        var known = new HashSet<string>(targets.Select(t => t.Name), StringComparer.Ordinal);
        var missing = new List<string>();
        var mismatched = new List<StateDictShapeMismatch>();
        var matched = new List<(Tensor Target, Tensor Source)>();
        foreach (var (name, target) in targets)
        {
            if (!source.TryGetValue(name, out var value)) { missing.Add(name); continue; }
            if (!target.ShapeRef.AsSpan().SequenceEqual(value.ShapeRef)) { mismatched.Add(new(name, target.Shape, value.Shape)); continue; }
            matched.Add((target, value));
        }
        var unexpected = source.Keys.Where(k => !known.Contains(k)).ToList();
        var report = new StateDictLoadReport(missing, unexpected, mismatched, matched.Count);
        if (strict && !report.IsExactMatch) throw new StateDictMismatchException(report);
        using (Autograd.NoGrad())
        {
            foreach (var (target, value) in matched) target.CopyFrom(value);
        }
        return report;
    }

    // ---------------------------------------------------------------- disposal

    /// <summary>Releases every parameter, buffer and child module.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases owned tensors and children (override to release more; call the base).</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing) return;
        _disposed = true;
        foreach (var t in _parameters.Values) t.Dispose();
        foreach (var t in _buffers.Values) t.Dispose();
        foreach (var m in _children.Values) m.Dispose();
    }
}
