using System.Runtime.InteropServices;
using MLNet.Segmentation.Engine;
using TorchSharp;

namespace MLNet.Segmentation.Data;

/// <summary>Per-thread libtorch settings of data-loader workers.</summary>
internal static class WorkerThreads
{
    // OpenMP's per-thread team size, found through libtorch_cpu's dependencies (the libgomp it loaded), so no
    // versioned library name is needed. torch.set_num_threads would change the training thread's pool too.
    [DllImport("libtorch_cpu", EntryPoint = "omp_set_num_threads")]
    private static extern void omp_set_num_threads(int threads);

    private static int _unavailable;

    /// <summary>Limits the calling thread's intra-op parallelism (the training thread keeps its own).</summary>
    internal static void LimitParallelism(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        TorchRuntime.EnsureInitialized();
        // ATen initialises each thread's OpenMP team size lazily from the global setting on the thread's first
        // parallel call; trigger that now so it cannot later override the per-thread value set below.
        _ = torch.get_num_threads();
        if (Volatile.Read(ref _unavailable) != 0) return;
        try
        {
            omp_set_num_threads(threads);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref _unavailable, 1); // a libtorch without OpenMP: nothing to limit
        }
    }
}
