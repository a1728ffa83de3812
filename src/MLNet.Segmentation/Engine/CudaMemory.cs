using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// libtorch's caching CUDA allocator, as torch.cuda.memory_allocated, max_memory_allocated, memory_reserved,
/// reset_peak_memory_stats and empty_cache report and control it. Needs a bridge built against a CUDA libtorch
/// (<see cref="LibTorch.CudaBridgeCompiled"/>) and a visible device; otherwise each member throws
/// <see cref="TorchException"/> saying so.
/// </summary>
public static class CudaMemory
{
    /// <summary>The allocator's byte counts for <paramref name="device"/> (a CUDA device; index -1 means 0).</summary>
    public static unsafe CudaMemoryStatistics Statistics(Device device)
    {
        int index = IndexOf(device);
        long* values = stackalloc long[4];
        NativeStatus.Check(NativeMethods.mlseg_cuda_memory_stats(index, values, 4), "cuda_memory_stats");
        return new CudaMemoryStatistics(values[0], values[1], values[2], values[3]);
    }

    /// <summary>Starts the peak counts of <paramref name="device"/> over from the current ones.</summary>
    public static void ResetPeak(Device device) =>
        NativeStatus.Check(NativeMethods.mlseg_cuda_memory_reset_peak(IndexOf(device)), "cuda_memory_reset_peak");

    /// <summary>Returns the allocator's unused cached blocks to the driver; live tensors are untouched.</summary>
    public static void EmptyCache()
    {
        LibTorch.EnsureInitialized();
        NativeStatus.Check(NativeMethods.mlseg_cuda_memory_empty_cache(), "cuda_memory_empty_cache");
    }

    private static int IndexOf(Device device)
    {
        int index = device.CudaIndexFor("CUDA memory statistics", nameof(device));
        LibTorch.EnsureInitialized();
        return index;
    }
}

/// <summary>Byte counts of the caching CUDA allocator on one device.</summary>
/// <param name="AllocatedBytes">Bytes held by live tensors (torch.cuda.memory_allocated).</param>
/// <param name="PeakAllocatedBytes">The most <paramref name="AllocatedBytes"/> reached since the last reset (max_memory_allocated).</param>
/// <param name="ReservedBytes">Bytes the allocator holds from the driver, live or cached (memory_reserved).</param>
/// <param name="PeakReservedBytes">The most <paramref name="ReservedBytes"/> since the last reset.</param>
public readonly record struct CudaMemoryStatistics(long AllocatedBytes, long PeakAllocatedBytes, long ReservedBytes, long PeakReservedBytes);
