using MLNet.Segmentation.Engine;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data;

/// <summary>
/// Turns a dataset into batches: seeded shuffling per epoch, optional drop-last, per-sample joint augmentation
/// and background prefetching on worker threads into a bounded buffer, with cancellation.
/// Everything random derives from <see cref="DataLoaderOptions.Seed"/>, the epoch and the sample index, so an
/// epoch's batches are the same whatever the number of workers. Batches arrive in order; the consumer owns
/// and disposes each <see cref="SegmentationBatch"/>. Batches built on a worker thread are detached from that
/// thread's dispose scope before they are handed over.
/// </summary>
/// <remarks>
/// Partial so that the trainer's batch-source interface (Training.IBatchSource: BatchesPerEpoch = <see cref="BatchCount"/>,
/// GetBatches = <see cref="Epoch"/>) can be declared beside it while Training is being ported.
/// </remarks>
public sealed partial class DataLoader
{
    /// <summary>A loader over <paramref name="dataset"/>.</summary>
    public DataLoader(ISegmentationDataset dataset, DataLoaderOptions? options = null)
    {
        Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
        Options = options ?? new DataLoaderOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.BatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(Options.Workers, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(Options.WorkerIntraOpThreads, 1, nameof(options));
        if (Options.Prefetch is < 1) throw new ArgumentOutOfRangeException(nameof(options), "Prefetch must be at least 1");
        if (Options.EpochOrders is { } orders)
        {
            if (orders.Count == 0) throw new ArgumentException("EpochOrders is empty", nameof(options));
            for (int e = 0; e < orders.Count; e++)
            {
                if (EpochOrderFile.PermutationProblem(orders[e] ?? throw new ArgumentException($"epoch order {e + 1} is null", nameof(options)),
                        Dataset.Count) is { } problem)
                    throw new ArgumentException($"epoch order {e + 1}: {problem}", nameof(options));
            }
        }
    }

    /// <summary>The dataset.</summary>
    public ISegmentationDataset Dataset { get; }

    /// <summary>The settings.</summary>
    public DataLoaderOptions Options { get; }

    /// <summary>Number of batches in one epoch.</summary>
    public int BatchCount => Options.DropLast
        ? Dataset.Count / Options.BatchSize
        : (Dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the samples.</summary>
    public int[] EpochOrder(int epoch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        if (Options.EpochOrders is { } orders)
        {
            if (epoch >= orders.Count)
                throw new InvalidOperationException($"epoch {epoch + 1} has no order: the {orders.Count} given epoch orders are used up");
            return orders[epoch].ToArray();
        }
        var order = Enumerable.Range(0, Dataset.Count).ToArray();
        if (Options.Shuffle)
        {
            var random = new Random(SeedMixer.ToInt32(SeedMixer.Mix(Options.Seed, (ulong)epoch, 0x5A3F)));
            random.Shuffle(order);
        }
        return order;
    }

    /// <summary>
    /// The batches of epoch <paramref name="epoch"/>, built ahead by the workers. Stopping early (break, an
    /// exception, or <paramref name="cancellationToken"/>, which throws <see cref="OperationCanceledException"/>)
    /// stops the workers and disposes batches that were built but not handed out.
    /// </summary>
    public IEnumerable<SegmentationBatch> Epoch(int epoch, CancellationToken cancellationToken = default)
    {
        var batches = BatchIndices(epoch);
        if (Options.Workers == 0) return Synchronous(batches, epoch, cancellationToken);
        return Prefetched(batches, epoch, cancellationToken);
    }

    private IEnumerable<SegmentationBatch> Synchronous(int[][] batches, int epoch, CancellationToken cancellationToken)
    {
        foreach (var indices in batches)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return BuildBatch(indices, epoch);
        }
    }

    private IEnumerable<SegmentationBatch> Prefetched(int[][] batches, int epoch, CancellationToken cancellationToken)
    {
        int prefetch = Options.Prefetch ?? 2 * Options.Workers;
        using var run = new PrefetchRun(batches.Length, Options.Workers, prefetch, b => BuildBatch(batches[b], epoch),
            () => WorkerThreads.LimitParallelism(Options.WorkerIntraOpThreads), cancellationToken);
        for (int b = 0; b < batches.Length; b++) yield return run.Take(b);
    }

    private int[][] BatchIndices(int epoch)
    {
        var order = EpochOrder(epoch);
        return Enumerable.Range(0, BatchCount)
            .Select(b => order.AsSpan(b * Options.BatchSize, Math.Min(Options.BatchSize, order.Length - b * Options.BatchSize)).ToArray())
            .ToArray();
    }

    /// <summary>
    /// Loads, augments and stacks the samples at <paramref name="indices"/> as in epoch <paramref name="epoch"/>
    /// (the workers' unit of work; safe to call from any thread).
    /// </summary>
    public SegmentationBatch BuildBatch(IReadOnlyList<int> indices, int epoch)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Count == 0) throw new ArgumentException("a batch needs at least one sample", nameof(indices));
        using var scope = NewDisposeScope();
        var device = Options.Device ?? CPU;
        var images = new Tensor[indices.Count];
        var masks = new Tensor[indices.Count];
        var names = new string[indices.Count];
        for (int k = 0; k < indices.Count; k++)
        {
            var sample = Dataset.Get(indices[k]);
            names[k] = sample.Name;
            Tensor image = sample.Image, mask = sample.Mask;
            if (device.type != DeviceType.CPU) (image, mask) = (image.to(device), mask.to(device));
            if (Options.Transform is { } transform)
            {
                using var generator = new Generator(SeedMixer.Mix(Options.Seed, (ulong)epoch, (ulong)indices[k]), device);
                (image, mask) = transform.Apply(image, mask, generator);
            }
            if (mask.dtype != ScalarType.Int64) mask = mask.to_type(ScalarType.Int64);
            if (image.dim() != 3 || mask.dim() != 2 || mask.size(0) != image.size(1) || mask.size(1) != image.size(2))
                throw new InvalidDataException($"{names[k]}: image {TensorData.ShapeOf(image)} and mask {TensorData.ShapeOf(mask)} differ in size");
            if (k > 0 && !image.shape.AsSpan().SequenceEqual(images[0].shape))
                throw new InvalidDataException(
                    $"samples of one batch differ in size: {names[0]} is {TensorData.ShapeOf(images[0])} but {names[k]} is {TensorData.ShapeOf(image)}; " +
                    "add a Resize or RandomCrop transform");
            (images[k], masks[k]) = (image, mask);
        }
        var imageBatch = stack(images).DetachFromDisposeScope();
        try
        {
            var maskBatch = stack(masks).DetachFromDisposeScope();
            return new SegmentationBatch(imageBatch, maskBatch, names, indices.ToArray());
        }
        catch
        {
            imageBatch.Dispose();
            throw;
        }
    }
}
