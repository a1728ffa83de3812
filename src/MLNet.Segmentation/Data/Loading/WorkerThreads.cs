using System.Runtime.InteropServices;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Data;

/// <summary>Per-thread libtorch settings of data-loader workers.</summary>
internal static class WorkerThreads
{
    [DllImport(NativeMethods.Library)]
    private static extern int mlseg_data_set_thread_parallelism(int threads);

    /// <summary>Limits the calling thread's intra-op parallelism (the training thread keeps its own).</summary>
    internal static void LimitParallelism(int threads)
    {
        LibTorch.EnsureInitialized();
        NativeStatus.Check(mlseg_data_set_thread_parallelism(threads), "data_set_thread_parallelism");
    }
}
