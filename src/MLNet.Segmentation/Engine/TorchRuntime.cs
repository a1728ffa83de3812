using TorchSharp;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// The TorchSharp runtime as this package uses it: versions, CUDA devices and CPU threads. On first use the intra-op
/// thread count is set from the MLSEG_NUM_THREADS environment variable when it is set (libtorch's own default, the
/// core count, otherwise), and NNPACK is switched off (torch.backends.nnpack.enabled = False): libtorch 2.10 tries it for
/// some convolutions and, on processors it does not support, prints "Could not initialize NNPACK" on every such call.
/// The CPU memory mode (<see cref="CpuMemory"/>: huge pages, glibc's kept heap or neither) is set before libtorch's first
/// allocation; a bad MLSEG_CPU_MEMORY fails like a bad MLSEG_NUM_THREADS.
/// </summary>
public static class TorchRuntime
{
    private static int _initialized;

    /// <summary>The environment variable that sets libtorch's intra-op thread count.</summary>
    public const string ThreadsVariable = "MLSEG_NUM_THREADS";

    /// <summary>
    /// Loads libtorch (through TorchSharp) and applies the thread and memory settings once per process. A bad
    /// MLSEG_NUM_THREADS or MLSEG_CPU_MEMORY fails every call with the same <see cref="InvalidOperationException"/>, not
    /// only the first.
    /// </summary>
    public static void EnsureInitialized()
    {
        if (Volatile.Read(ref _initialized) == 1) return;
        int? threads = ConfiguredThreads();
        var memory = CpuMemory.Requested();
        int mmapThresholdMiB = CpuMemory.MmapThresholdMiB();
        if (Interlocked.Exchange(ref _initialized, 1) == 1) return;
        var wantedMemory = CpuMemory.PrepareBeforeLibTorchLoads(memory);
        _ = torch.get_num_threads(); // loads TorchSharp's native library and libtorch first
        CpuMemory.ApplyAfterLibTorchLoads(wantedMemory, automatic: memory is null, mmapThresholdMiB);
        if (threads is int count) torch.set_num_threads(count);
        if (OperatingSystem.IsLinux()) LibTorchExports.setUserEnabledNNPACK(LibTorchExports.globalContext(), 0);
    }

    /// <summary>MLSEG_NUM_THREADS when set (a positive integer), else null.</summary>
    public static int? ConfiguredThreads()
    {
        string? configured = Environment.GetEnvironmentVariable(ThreadsVariable);
        if (string.IsNullOrWhiteSpace(configured)) return null;
        if (int.TryParse(configured, out int threads) && threads > 0) return threads;
        throw new InvalidOperationException($"{ThreadsVariable}='{configured}' is not a positive integer");
    }

    /// <summary>The TorchSharp assembly's version, e.g. "0.107.0".</summary>
    public static string TorchSharpVersion
    {
        get
        {
            var assembly = typeof(torch).Assembly;
            var informational = (System.Reflection.AssemblyInformationalVersionAttribute?)Attribute.GetCustomAttribute(
                assembly, typeof(System.Reflection.AssemblyInformationalVersionAttribute));
            string? text = informational?.InformationalVersion.Split('+')[0];
            return string.IsNullOrEmpty(text) ? assembly.GetName().Version?.ToString(3) ?? "unknown" : text;
        }
    }

    /// <summary>The libtorch version TorchSharp loaded, e.g. "2.10.0".</summary>
    public static string LibTorchVersion
    {
        get
        {
            EnsureInitialized();
            string v = torch.__version__;
            return v.EndsWith(".0", StringComparison.Ordinal) && v.Count(c => c == '.') == 3 ? v[..^2] : v;
        }
    }

    /// <summary>True when the loaded libtorch has CUDA and at least one GPU is visible.</summary>
    public static bool CudaIsAvailable
    {
        get
        {
            EnsureInitialized();
            return torch.cuda.is_available();
        }
    }

    /// <summary>The number of visible CUDA devices (0 without CUDA).</summary>
    public static int CudaDeviceCount
    {
        get
        {
            EnsureInitialized();
            return torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        }
    }

    /// <summary>libtorch's intra-op CPU thread count.</summary>
    public static int Threads
    {
        get
        {
            EnsureInitialized();
            return torch.get_num_threads();
        }
        set
        {
            EnsureInitialized();
            if (value <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "thread count must be positive");
            torch.set_num_threads(value);
        }
    }

    /// <summary>Waits for the work queued on <paramref name="device"/> (a no-op on the CPU).</summary>
    public static void Synchronize(torch.Device device)
    {
        if (device.type == DeviceType.CUDA) torch.cuda.synchronize(device);
    }
}
