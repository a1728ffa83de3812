namespace MLNet.Segmentation.ModelFiles;

/// <summary>One tensor a network's state dict will hold: its shape and whether it is floating point.</summary>
public sealed record ExpectedTensor(long[] Shape, bool IsFloatingPoint)
{
    /// <summary>Elements of the tensor (saturates at <see cref="long.MaxValue"/>).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long s in Shape) count = s != 0 && count > long.MaxValue / s ? long.MaxValue : count * s;
            return count;
        }
    }
}

/// <summary>
/// The names and shapes of the state dict a network of a given architecture and options will have, computed from the
/// options alone (no tensor is allocated), so a model file's weights can be checked before the network is built.
/// Built by <see cref="ArchitectureShapes"/>; tests compare it with the state dict of every built architecture.
/// </summary>
public sealed class ExpectedStateDict
{
    private readonly Dictionary<string, ExpectedTensor> _tensors = new(StringComparer.Ordinal);

    /// <summary>The expected tensors by PyTorch's dotted names.</summary>
    public IReadOnlyDictionary<string, ExpectedTensor> Tensors => _tensors;

    /// <summary>The elements of every tensor together (saturates at <see cref="long.MaxValue"/>).</summary>
    public long ElementCount { get; private set; }

    internal void Add(string name, bool floatingPoint, params long[] shape)
    {
        var tensor = new ExpectedTensor(shape, floatingPoint);
        _tensors.Add(name, tensor);
        long count = tensor.ElementCount;
        ElementCount = ElementCount > long.MaxValue - count ? long.MaxValue : ElementCount + count;
    }

    internal void Conv(string prefix, long inChannels, long outChannels, long kernel, bool bias)
    {
        Add(prefix + "weight", true, outChannels, inChannels, kernel, kernel);
        if (bias) Add(prefix + "bias", true, outChannels);
    }

    internal void ConvTranspose(string prefix, long inChannels, long outChannels, long kernel, bool bias)
    {
        Add(prefix + "weight", true, inChannels, outChannels, kernel, kernel);
        if (bias) Add(prefix + "bias", true, outChannels);
    }

    internal void BatchNorm(string prefix, long channels)
    {
        Add(prefix + "weight", true, channels);
        Add(prefix + "bias", true, channels);
        Add(prefix + "running_mean", true, channels);
        Add(prefix + "running_var", true, channels);
        Add(prefix + "num_batches_tracked", false);
    }
}
