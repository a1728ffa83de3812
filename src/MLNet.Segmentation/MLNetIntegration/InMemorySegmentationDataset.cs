using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Samples read from an IDataView into memory (for byte and vector columns); Get hands out copies.</summary>
internal sealed class InMemorySegmentationDataset(DatasetDescription description) : ISegmentationDataset, IDisposable
{
    private readonly List<SegmentationSample> _samples = [];

    public DatasetDescription Description { get; } = description;
    public int Count => _samples.Count;

    public void Add(Tensor image, Tensor mask, string name) => _samples.Add(new SegmentationSample(image, mask, name));

    public SegmentationSample Get(int index)
    {
        var sample = _samples[index];
        return new SegmentationSample(sample.Image.Clone(), sample.Mask.Clone(), sample.Name);
    }

    public void Dispose()
    {
        foreach (var sample in _samples) sample.Dispose();
        _samples.Clear();
    }
}
