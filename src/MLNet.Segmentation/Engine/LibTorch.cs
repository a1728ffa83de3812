using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// The libtorch runtime: version, CUDA devices, CPU threads and the global seed.
/// On first use the intra-op thread count is set to the machine's core count (Debian's libtorch starts
/// with one), or to the MLSEG_NUM_THREADS environment variable when set, and the caching CPU allocator
/// (<see cref="CpuMemoryCache"/>) is installed.
/// </summary>
public static class LibTorch
{
    private static int _initialized;

    /// <summary>The environment variable that overrides the default thread count.</summary>
    public const string ThreadsVariable = "MLSEG_NUM_THREADS";

    internal static void EnsureInitialized()
    {
        if (Volatile.Read(ref _initialized) == 1 || Interlocked.Exchange(ref _initialized, 1) == 1) return;
        NativeStatus.Check(NativeMethods.mlseg_set_num_threads(DefaultThreadCount()), "set_num_threads");
        CpuMemoryCache.Install();
    }

    /// <summary>The thread count used when none is set: MLSEG_NUM_THREADS, else the processor count.</summary>
    public static int DefaultThreadCount()
    {
        string? configured = Environment.GetEnvironmentVariable(ThreadsVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            if (int.TryParse(configured, out int threads) && threads > 0) return threads;
            throw new InvalidOperationException($"{ThreadsVariable}='{configured}' is not a positive integer");
        }
        return Environment.ProcessorCount;
    }

    /// <summary>The libtorch version the bridge was built against, e.g. "1.13.0".</summary>
    public static unsafe string Version
    {
        get
        {
            EnsureInitialized();
            byte* buffer = stackalloc byte[64];
            NativeStatus.Check(NativeMethods.mlseg_version(buffer, 64), "version");
            return System.Runtime.InteropServices.Marshal.PtrToStringUTF8((IntPtr)buffer) ?? "";
        }
    }

    /// <summary>True when this libtorch has CUDA and at least one GPU is visible.</summary>
    public static bool CudaIsAvailable
    {
        get
        {
            EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_cuda_is_available(out int available), "cuda_is_available");
            return available != 0;
        }
    }

    /// <summary>True when this libtorch has oneDNN (MKL-DNN) for CPU convolutions and it is not switched off.</summary>
    public static bool OneDnnIsAvailable
    {
        get
        {
            EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_onednn_is_available(out int available), "onednn_is_available");
            return available != 0;
        }
    }

    /// <summary>
    /// True when the bridge was built against a CUDA libtorch, so that <see cref="CudaGraph"/> and
    /// <see cref="CudaMemory"/> work (given a visible device).
    /// </summary>
    public static bool CudaBridgeCompiled
    {
        get
        {
            EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_cuda_bridge_compiled(out int compiled), "cuda_bridge_compiled");
            return compiled != 0;
        }
    }

    /// <summary>
    /// cuDNN's autotuner (torch.backends.cudnn.benchmark, off by default): each new convolution shape tries cuDNN's
    /// algorithms once and keeps the fastest. Pays off for fixed shapes; a flag only, without effect on the CPU.
    /// </summary>
    public static bool CudnnBenchmark
    {
        get
        {
            EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_cudnn_benchmark_get(out int enabled), "cudnn_benchmark_get");
            return enabled != 0;
        }
        set
        {
            EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_cudnn_benchmark_set(value ? 1 : 0), "cudnn_benchmark_set");
        }
    }

    /// <summary>The number of visible CUDA devices (0 without CUDA).</summary>
    public static int CudaDeviceCount
    {
        get
        {
            EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_cuda_device_count(out int count), "cuda_device_count");
            return count;
        }
    }

    /// <summary>Waits for all work queued on a CUDA device.</summary>
    public static void CudaSynchronize(int deviceIndex = 0) =>
        NativeStatus.Check(NativeMethods.mlseg_cuda_synchronize(deviceIndex), "cuda_synchronize");

    /// <summary>libtorch's intra-op CPU thread count.</summary>
    public static int Threads
    {
        get
        {
            EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_get_num_threads(out int threads), "get_num_threads");
            return threads;
        }
        set
        {
            EnsureInitialized();
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be positive");
            NativeStatus.Check(NativeMethods.mlseg_set_num_threads(value), "set_num_threads");
        }
    }

    /// <summary>Seeds libtorch's default generators (CPU and CUDA), like torch.manual_seed.</summary>
    public static void ManualSeed(ulong seed)
    {
        EnsureInitialized();
        NativeStatus.Check(NativeMethods.mlseg_manual_seed(seed), "manual_seed");
    }

    /// <summary>The best available device: CUDA device 0 when present, else the CPU.</summary>
    public static Device DefaultDevice => CudaIsAvailable ? Device.Cuda(0) : Device.Cpu;
}
