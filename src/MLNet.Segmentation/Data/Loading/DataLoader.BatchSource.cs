using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Data;

/// <summary>The loader as the trainer's batch source.</summary>
public sealed partial class DataLoader : IBatchSource
{
    /// <inheritdoc />
    int IBatchSource.BatchesPerEpoch => BatchCount;

    /// <inheritdoc />
    IEnumerable<SegmentationBatch> IBatchSource.GetBatches(int epoch, CancellationToken cancellationToken) => Epoch(epoch, cancellationToken);
}
