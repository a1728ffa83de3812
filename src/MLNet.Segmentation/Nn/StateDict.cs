using System.Collections;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// Named tensors in insertion order (a PyTorch state dict) that owns its tensors: <see cref="Dispose"/> releases them.
/// What <see cref="Weights.SafeTensors"/> and the model files read, and what <see cref="StateDicts.Load"/> takes.
/// </summary>
public sealed class StateDict : IReadOnlyDictionary<string, Tensor>, IDisposable
{
    private readonly OrderedDictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>Adds a tensor and takes ownership of it (it leaves any dispose scope).</summary>
    public void Add(string name, Tensor tensor)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(tensor);
        if (!_tensors.TryAdd(name, tensor.DetachFromDisposeScope()))
            throw new ArgumentException($"the state dict already has a tensor named '{name}'", nameof(name));
    }

    /// <summary>
    /// The entries whose names start with <paramref name="prefix"/> ("backbone."), renamed without it, as new handles
    /// sharing storage (e.g. to load a backbone from a whole-model checkpoint).
    /// </summary>
    public StateDict WithoutPrefix(string prefix)
    {
        var result = new StateDict();
        foreach (var (name, tensor) in _tensors)
            if (name.StartsWith(prefix, StringComparison.Ordinal) && name.Length > prefix.Length)
                result.Add(name[prefix.Length..], tensor.alias());
        return result;
    }

    /// <summary>Every entry renamed with <paramref name="prefix"/> in front, as new handles sharing storage.</summary>
    public StateDict WithPrefix(string prefix)
    {
        var result = new StateDict();
        foreach (var (name, tensor) in _tensors) result.Add(prefix + name, tensor.alias());
        return result;
    }

    /// <inheritdoc />
    public Tensor this[string key] => _tensors.TryGetValue(key, out var t) ? t : throw new KeyNotFoundException($"no tensor named '{key}'");

    /// <inheritdoc />
    public IEnumerable<string> Keys => _tensors.Keys;

    /// <inheritdoc />
    public IEnumerable<Tensor> Values => _tensors.Values;

    /// <inheritdoc />
    public int Count => _tensors.Count;

    /// <inheritdoc />
    public bool ContainsKey(string key) => _tensors.ContainsKey(key);

    /// <inheritdoc />
    public bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out Tensor value) => _tensors.TryGetValue(key, out value);

    /// <inheritdoc />
    public IEnumerator<KeyValuePair<string, Tensor>> GetEnumerator() => _tensors.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Releases every tensor.</summary>
    public void Dispose()
    {
        foreach (var t in _tensors.Values) t.Dispose();
        _tensors.Clear();
    }
}
