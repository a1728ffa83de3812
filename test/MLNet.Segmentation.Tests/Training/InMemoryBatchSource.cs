using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Training;

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
        using var scope = DisposeScope.Enter();
        var signal = Tensor.Rand([samples, classes, size, size], g);
        _masks = signal.ArgMax(1).DetachFromDisposeScope();
        _images = (signal + Tensor.Randn([samples, classes, size, size], g) * 0.05).DetachFromDisposeScope();
        (_batchSize, _seed, _shuffle) = (batchSize, seed, shuffle);
        BatchesPerEpoch = samples / batchSize;
    }

    public int BatchesPerEpoch { get; }

    public IEnumerable<SegmentationBatch> GetBatches(int epoch, CancellationToken cancellationToken)
    {
        long[] order;
        using (var g = new Generator(_seed * 1000 + (ulong)epoch))
        using (var perm = _shuffle ? Tensor.RandPerm(_images.Size(0), g) : Tensor.Arange(_images.Size(0)))
            order = perm.ToArray<long>();
        for (int b = 0; b < BatchesPerEpoch; b++)
        {
            using var index = Tensor.FromArray(order[(b * _batchSize)..((b + 1) * _batchSize)]).DetachFromDisposeScope();
            int[] picked = order[(b * _batchSize)..((b + 1) * _batchSize)].Select(i => (int)i).ToArray();
            yield return new SegmentationBatch(_images.IndexSelect(0, index).DetachFromDisposeScope(),
                _masks.IndexSelect(0, index).DetachFromDisposeScope(), picked.Select(i => $"sample{i}").ToArray(), picked);
        }
    }

    public void Dispose()
    {
        _images.Dispose();
        _masks.Dispose();
    }
}
