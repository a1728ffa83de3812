namespace MLNet.Segmentation.Data;

/// <summary>
/// A random-access collection of <see cref="SegmentationSample"/>s. <see cref="Get"/> must be safe to call
/// from several threads at once (the <see cref="DataLoader"/> calls it from its workers); the caller owns
/// the returned sample (its tensors join the calling thread's current TorchSharp dispose scope, if any).
/// </summary>
public interface ISegmentationDataset
{
    /// <summary>Number of samples.</summary>
    int Count { get; }

    /// <summary>Classes, colours, ignore id and class weights of the data.</summary>
    DatasetDescription Description { get; }

    /// <summary>Loads sample <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    SegmentationSample Get(int index);
}
