using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Training;

/// <summary>A batch of N x C x H x W float images and N x H x W int64 class-id masks; disposing it frees both.</summary>
public sealed class SegmentationBatch(Tensor images, Tensor masks) : IDisposable
{
    /// <summary>N x C x H x W float images.</summary>
    public Tensor Images { get; } = images;

    /// <summary>N x H x W int64 class ids.</summary>
    public Tensor Masks { get; } = masks;

    /// <summary>N, the number of samples.</summary>
    public long Count => Images.Size(0);

    /// <summary>Frees the images and masks.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
    }
}

/// <summary>
/// Supplies the batches of one epoch. For reproducible (and exactly resumable) training the order and the random
/// augmentation of epoch e must depend only on the seed and e. The trainer disposes each batch after use.
/// </summary>
public interface IBatchSource
{
    /// <summary>The number of batches per epoch (for progress and schedules).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of epoch <paramref name="epoch"/> (0-based).</summary>
    IEnumerable<SegmentationBatch> GetBatches(int epoch, CancellationToken cancellationToken);
}
