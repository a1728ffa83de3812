using MLNet.Segmentation.Data.Transforms;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Data;

/// <summary>Batching, shuffling, augmentation and prefetching settings of a <see cref="DataLoader"/>.</summary>
public sealed record DataLoaderOptions
{
    /// <summary>Samples per batch.</summary>
    public int BatchSize { get; init; } = 8;

    /// <summary>Whether each epoch visits the samples in a new seeded random order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Seed of the shuffling and of every sample's augmentation.</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// Fixed visiting orders, one per epoch: epoch e visits the samples in EpochOrders[e] (e.g. from
    /// <see cref="EpochOrderFile"/>, so that another framework trains on the same sequence); null = <see cref="Shuffle"/>'s
    /// seeded order. Each must be a permutation of the dataset's indices; an epoch past the list is an error.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>>? EpochOrders { get; init; }

    /// <summary>Whether a last, smaller batch is dropped.</summary>
    public bool DropLast { get; init; }

    /// <summary>Background threads building batches (0: build on the consuming thread).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>
    /// libtorch intra-op threads of each worker (default 1, as PyTorch's DataLoader workers): parallelism comes
    /// from the workers, and the training thread's own setting is left unchanged.
    /// </summary>
    public int WorkerIntraOpThreads { get; init; } = 1;

    /// <summary>Most batches built ahead of the consumer (default: twice the workers).</summary>
    public int? Prefetch { get; init; }

    /// <summary>Joint augmentation applied to each sample (with a generator seeded from Seed, epoch and index).</summary>
    public IJointTransform? Transform { get; init; }

    /// <summary>Device the samples are moved to before the transform (which then runs there); default CPU.</summary>
    public Device? Device { get; init; }
}
