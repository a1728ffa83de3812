using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// The folded kernel and bias of one convolution + BatchNorm pair (<see cref="BatchNormFolding"/>), kept between calls
/// without gradients and recomputed when any source tensor is replaced (a device or dtype change) or changed in place
/// (its version counter moved: an optimizer step, a loaded state dict, updated running statistics). Safe for
/// concurrent callers: each gets its own handles to the cached tensors, so a replacement never frees data in use.
/// </summary>
internal sealed class FoldedKernelCache : IDisposable
{
    private readonly object _gate = new();
    private Tensor?[] _sources = [];
    private long[] _versions = [];
    private Tensor? _weight;
    private Tensor? _bias;

    /// <summary>
    /// New handles to the folded kernel and bias for <paramref name="sources"/> (the convolution's weight and bias, then
    /// the normalization's weight, bias, running mean and running variance; null where absent), made by
    /// <paramref name="fold"/> when the cached ones are missing or stale. The caller disposes both handles.
    /// </summary>
    public (Tensor Weight, Tensor Bias) Get(Tensor?[] sources, Func<(Tensor Weight, Tensor Bias)> fold)
    {
        var versions = new long[sources.Length];
        for (int i = 0; i < sources.Length; i++) versions[i] = sources[i]?.Version ?? -1;
        lock (_gate)
        {
            if (_weight is null || !Matches(sources, versions))
            {
                Clear();
                var (weight, bias) = fold();
                _weight = weight.DetachFromDisposeScope();
                _bias = bias.DetachFromDisposeScope();
                _sources = (Tensor?[])sources.Clone();
                _versions = versions;
            }
            return (_weight.Alias(), _bias!.Alias());
        }
    }

    private bool Matches(Tensor?[] sources, long[] versions)
    {
        if (sources.Length != _sources.Length) return false;
        for (int i = 0; i < sources.Length; i++)
            if (!ReferenceEquals(sources[i], _sources[i]) || versions[i] != _versions[i]) return false;
        return true;
    }

    /// <summary>Frees the cached tensors (they are made again on the next call).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _weight?.Dispose();
            _bias?.Dispose();
            _weight = _bias = null;
            _sources = [];
            _versions = [];
        }
    }

    /// <inheritdoc />
    public void Dispose() => Clear();
}
