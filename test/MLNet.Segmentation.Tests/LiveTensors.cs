using TorchSharp;

namespace MLNet.Segmentation.Tests;

/// <summary>TorchSharp's live-tensor count, for tests that check a stretch of code leaves it unchanged.</summary>
internal static class LiveTensors
{
    /// <summary>
    /// The count after tensors that earlier tests left to the garbage collector are finalized, so that none is freed
    /// while a test counts.
    /// </summary>
    public static long Settled()
    {
        ManagedGarbage.Collect();
        return torch.Tensor.TotalCount;
    }
}

/// <summary>A full collection with its finalizers run, so managed garbage of earlier tests does not count.</summary>
internal static class ManagedGarbage
{
    public static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
