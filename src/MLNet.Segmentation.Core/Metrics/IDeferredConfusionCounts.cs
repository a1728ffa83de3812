namespace MLNet.Segmentation.Metrics;

/// <summary>
/// Counts of a <see cref="ConfusionMatrix"/> kept outside its host arrays (e.g. on a GPU, where batches are counted
/// without a copy to the host), added to the host counts whenever the matrix is read. The matrix owns the attached
/// accumulator: <see cref="ConfusionMatrix.Reset"/> and <see cref="ConfusionMatrix.Dispose"/> dispose it.
/// </summary>
public interface IDeferredConfusionCounts : IDisposable
{
    /// <summary>The K x K counts accumulated so far, row-major (rows = ground truth), K = the matrix's class count.</summary>
    long[] Read();
}
