using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Training;

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
