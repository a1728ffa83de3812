namespace MLNet.Segmentation.Engine;

/// <summary>
/// Tensors derived from source tensors (a BatchNorm-folded kernel and bias, a kernel reordered for oneDNN), kept between
/// calls and made again when a source is replaced by another tensor (a device or dtype change), changed in place (its
/// version counter moved: an optimizer step, a loaded state dict, updated running statistics), or the derivation's
/// <typeparamref name="TKey"/> changes (e.g. the stride a kernel was reordered for). Safe for concurrent callers: each
/// gets its own handles to the cached tensors, so a replacement never frees data in use.
/// </summary>
internal sealed class DerivedTensorCache<TKey> : IDisposable
{
    private readonly object _gate = new();
    private Tensor?[] _sources = [];
    private long[] _versions = [];
    private TKey? _key;
    private Tensor[]? _derived;

    /// <summary>
    /// New handles to the tensors derived from <paramref name="sources"/> (null where a source is absent) under
    /// <paramref name="key"/>, made by <paramref name="derive"/> when the cached ones are missing or stale. The caller
    /// disposes the handles.
    /// </summary>
    public Tensor[] Get(Tensor?[] sources, Func<Tensor[]> derive, TKey? key = default)
    {
        var versions = new long[sources.Length];
        for (int i = 0; i < sources.Length; i++) versions[i] = sources[i]?.Version ?? -1;
        lock (_gate)
        {
            if (_derived is null || !Matches(sources, versions, key))
            {
                Clear();
                var derived = derive();
                foreach (var tensor in derived) tensor.DetachFromDisposeScope();
                _derived = derived;
                _sources = (Tensor?[])sources.Clone();
                _versions = versions;
                _key = key;
            }
            var handles = new Tensor[_derived.Length];
            for (int i = 0; i < handles.Length; i++) handles[i] = _derived[i].Alias();
            return handles;
        }
    }

    private bool Matches(Tensor?[] sources, long[] versions, TKey? key)
    {
        if (sources.Length != _sources.Length || !EqualityComparer<TKey>.Default.Equals(key, _key)) return false;
        for (int i = 0; i < sources.Length; i++)
            if (!ReferenceEquals(sources[i], _sources[i]) || versions[i] != _versions[i]) return false;
        return true;
    }

    /// <summary>Frees the cached tensors (they are made again on the next call).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            if (_derived is not null)
                foreach (var tensor in _derived) tensor.Dispose();
            _derived = null;
            _sources = [];
            _versions = [];
            _key = default;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Clear();
}
