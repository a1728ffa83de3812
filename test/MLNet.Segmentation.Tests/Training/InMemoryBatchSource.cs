using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Training;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Training;

/// <summary>
/// A toy learnable problem: the class of each pixel is the brightest of K image channels (plus noise); batches of
/// epoch e are shuffled by a generator seeded with (seed, e), so a resumed run sees the same data.
/// </summary>
internal sealed class InMemoryBatchSource : IBatchSource, IDisposable
{
    private readonly Tensor _images, _masks;
    private readonly int _batchSize;
    private readonly ulong _seed;
    private readonly bool _shuffle;

    public InMemoryBatchSource(int samples, int classes, int size, int batchSize, ulong seed, bool shuffle = true)
    {
        using var g = new Generator(seed);
        using var scope = NewDisposeScope();
        var signal = rand([samples, classes, size, size], generator: g);
        _masks = signal.argmax(1).DetachFromDisposeScope();
        _images = (signal + randn([samples, classes, size, size], generator: g) * 0.05).DetachFromDisposeScope();
        (_batchSize, _seed, _shuffle) = (batchSize, seed, shuffle);
        BatchesPerEpoch = samples / batchSize;
    }

    public int BatchesPerEpoch { get; }

    public IEnumerable<SegmentationBatch> GetBatches(int epoch, CancellationToken cancellationToken)
    {
        long[] order;
        using (var g = new Generator(_seed * 1000 + (ulong)epoch))
        using (var perm = _shuffle ? randperm(_images.size(0), generator: g) : arange(_images.size(0)))
            order = TensorData.ToArray<long>(perm);
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            long[] slice = order[(b * _batchSize)..((b + 1) * _batchSize)];
            using var index = TensorData.FromArray(slice);
            int[] picked = slice.Select(i => (int)i).ToArray();
            yield return new SegmentationBatch(_images.index_select(0, index).DetachFromDisposeScope(),
                _masks.index_select(0, index).DetachFromDisposeScope(), picked.Select(i => $"sample{i}").ToArray(), picked);
        }
    }

    public void Dispose()
    {
        _images.Dispose();
        _masks.Dispose();
    }
}
