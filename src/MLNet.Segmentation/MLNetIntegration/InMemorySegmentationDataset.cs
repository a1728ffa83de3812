using MLNet.Segmentation.Data;
using static TorchSharp.torch;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Samples read from an IDataView into memory (for byte and vector columns); Get hands out copies. The stored tensors
/// are detached from any dispose scope and freed by <see cref="Dispose"/>.
/// </summary>
internal sealed class InMemorySegmentationDataset(DatasetDescription description) : ISegmentationDataset, IDisposable
{
    private readonly List<SegmentationSample> _samples = [];

    public DatasetDescription Description { get; } = description;
    public int Count => _samples.Count;

    /// <summary>Takes ownership of <paramref name="image"/> and <paramref name="mask"/>.</summary>
    public void Add(Tensor image, Tensor mask, string name) =>
        _samples.Add(new SegmentationSample(image.DetachFromDisposeScope(), mask.DetachFromDisposeScope(), name));

    public SegmentationSample Get(int index)
    {
        var sample = _samples[index];
        return new SegmentationSample(sample.Image.clone(), sample.Mask.clone(), sample.Name);
    }

    public void Dispose()
    {
        foreach (var sample in _samples) sample.Dispose();
        _samples.Clear();
    }
}
