using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Data;

[TestClass]
public sealed class DataLoaderTests
{
    private static readonly SyntheticShapesDataset Shapes = new(count: 21, height: 32, width: 40, seed: 3);

    private static DataLoaderOptions Options(int workers) => new()
    {
        BatchSize = 4,
        Seed = 99,
        Workers = workers,
        Transform = new Compose(new RandomScale(0.8, 1.2), new RandomCrop(24, 24, 255), new RandomHorizontalFlip(), new GaussianNoise(0.02)),
    };

    [TestMethod]
    public void BatchesHaveTheRightShapesAndCoverTheEpochOnce()
    {
        var loader = new DataLoader(Shapes, Options(2));
        Assert.AreEqual(6, loader.BatchCount);
        var seen = new List<int>();
        foreach (var batch in loader.Epoch(0))
        {
            using (batch)
            {
                Assert.AreEqual(ScalarType.Float32, batch.Images.dtype);
                Assert.AreEqual(ScalarType.Int64, batch.Masks.dtype);
                CollectionAssert.AreEqual(new long[] { batch.Count, 3, 24, 24 }, batch.Images.shape);
                CollectionAssert.AreEqual(new long[] { batch.Count, 24, 24 }, batch.Masks.shape);
                seen.AddRange(batch.Indices);
            }
        }
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 21).ToArray(), seen.ToArray());
        CollectionAssert.AreNotEqual(Enumerable.Range(0, 21).ToArray(), seen.ToArray(), "shuffled");

        var dropLast = new DataLoader(Shapes, Options(2) with { DropLast = true });
        Assert.AreEqual(5, dropLast.BatchCount);
        int batches = 0;
        foreach (var batch in dropLast.Epoch(0)) using (batch) { Assert.AreEqual(4, batch.Count); batches++; }
        Assert.AreEqual(5, batches);
    }

    [TestMethod]
    [DataRow(0)]
    [DataRow(2)]
    public void BatchesBelongToTheConsumerNotToAnyDisposeScope(int workers)
    {
        // Worker threads have dispose scopes of their own; a batch must outlive them and the consumer's scope,
        // and be freed by its Dispose alone.
        var kept = new List<SegmentationBatch>();
        using (var consumer = NewDisposeScope())
        {
            int before = consumer.DisposablesCount;
            foreach (var batch in new DataLoader(Shapes, Options(workers)).Epoch(0)) kept.Add(batch);
            Assert.AreEqual(before, consumer.DisposablesCount, "batches joined the consumer's scope");
        }
        Assert.HasCount(6, kept);
        foreach (var batch in kept)
        {
            Assert.IsFalse(batch.Images.IsInvalid || batch.Masks.IsInvalid, "a batch was disposed by a scope");
            Assert.AreEqual(batch.Count * 3 * 24 * 24, TensorData.ToArray<float>(batch.Images).Length);
            batch.Dispose();
            Assert.IsTrue(batch.Images.IsInvalid && batch.Masks.IsInvalid);
        }
    }

    [TestMethod]
    public void EpochsAreReproducibleWhateverTheWorkerCount()
    {
        var serial = Collect(new DataLoader(Shapes, Options(0)), 1);
        var parallel = Collect(new DataLoader(Shapes, Options(3) with { Prefetch = 2 }), 1);
        Assert.AreEqual(serial.Count, parallel.Count);
        for (int b = 0; b < serial.Count; b++)
        {
            CollectionAssert.AreEqual(serial[b].Indices, parallel[b].Indices);
            CollectionAssert.AreEqual(serial[b].Images, parallel[b].Images);
            CollectionAssert.AreEqual(serial[b].Masks, parallel[b].Masks);
        }
        var other = Collect(new DataLoader(Shapes, Options(2)), 2);
        CollectionAssert.AreNotEqual(serial[0].Indices, other[0].Indices, "each epoch has its own order");
    }

    private static List<(int[] Indices, float[] Images, long[] Masks)> Collect(DataLoader loader, int epoch)
    {
        var result = new List<(int[], float[], long[])>();
        foreach (var batch in loader.Epoch(epoch))
            using (batch) result.Add((batch.Indices.ToArray(), TensorData.ToArray<float>(batch.Images), TensorData.ToArray<long>(batch.Masks)));
        return result;
    }

    [TestMethod]
    public void WorkerParallelismIsLimitedPerThread()
    {
        int main = TorchSharp.torch.get_num_threads();
        int onWorker = -1;
        var worker = new Thread(() =>
        {
            WorkerThreads.LimitParallelism(1);
            onWorker = TorchSharp.torch.get_num_threads();
        });
        worker.Start();
        worker.Join();
        Assert.AreEqual(1, onWorker, "the worker's OpenMP team");
        Assert.AreEqual(main, TorchSharp.torch.get_num_threads(), "the consumer's setting is unchanged");
    }

    [TestMethod]
    public void CancellationStopsTheEpoch()
    {
        using var cancellation = new CancellationTokenSource();
        var loader = new DataLoader(new SlowDataset(Shapes, TimeSpan.FromMilliseconds(5)), Options(2) with { BatchSize = 2 });
        int taken = 0;
        Assert.ThrowsExactly<OperationCanceledException>(() =>
        {
            foreach (var batch in loader.Epoch(0, cancellation.Token))
            {
                batch.Dispose();
                if (++taken == 2) cancellation.Cancel();
            }
        });
        Assert.AreEqual(2, taken);
    }

    [TestMethod]
    public void BreakingEarlyAndWorkerErrorsEndCleanly()
    {
        var loader = new DataLoader(Shapes, Options(3));
        foreach (var batch in loader.Epoch(0))
        {
            batch.Dispose();
            break;
        }

        var failing = new DataLoader(new FailingDataset(Shapes, failAt: 9), Options(2) with { Shuffle = false });
        int good = 0;
        var e = Assert.ThrowsExactly<InvalidDataException>(() =>
        {
            foreach (var batch in failing.Epoch(0)) using (batch) good++;
        });
        StringAssert.Contains(e.Message, "sample 9");
        Assert.AreEqual(2, good);
    }

    [TestMethod]
    public void DifferentSizesWithoutACropGiveAClearError()
    {
        var loader = new DataLoader(new MixedSizeDataset(), new DataLoaderOptions { BatchSize = 2, Workers = 0, Shuffle = false });
        var e = Assert.ThrowsExactly<InvalidDataException>(() => { foreach (var batch in loader.Epoch(0)) batch.Dispose(); });
        StringAssert.Contains(e.Message, "RandomCrop");
    }

    private sealed class SlowDataset(ISegmentationDataset inner, TimeSpan delay) : ISegmentationDataset
    {
        public int Count => inner.Count;
        public DatasetDescription Description => inner.Description;
        public SegmentationSample Get(int index)
        {
            Thread.Sleep(delay);
            return inner.Get(index);
        }
    }

    private sealed class FailingDataset(ISegmentationDataset inner, int failAt) : ISegmentationDataset
    {
        public int Count => inner.Count;
        public DatasetDescription Description => inner.Description;
        public SegmentationSample Get(int index) =>
            index == failAt ? throw new InvalidDataException($"sample {index} is broken") : inner.Get(index);
    }

    private sealed class MixedSizeDataset : ISegmentationDataset
    {
        public int Count => 2;
        public DatasetDescription Description => DatasetDescription.SyntheticShapes;
        public SegmentationSample Get(int index) =>
            new(zeros([3, 8 + index, 8]), zeros([8 + index, 8], ScalarType.Int64), $"s{index}");
    }
}
