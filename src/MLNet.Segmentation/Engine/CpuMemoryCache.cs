using MLNet.Segmentation.Engine.Interop;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// The bridge's caching CPU allocator, installed as libtorch's CPU allocator on first use. Blocks of
/// <see cref="MinimumBlockBytes"/> and more are kept when freed and handed out again for the same size (or up to a
/// quarter smaller), so repeated training steps and inference batches stop paying page faults and page zeroing.
/// Resident memory stays within the peak of live memory plus <see cref="SlackBytes"/>: a miss that would go above it
/// first returns the oldest cached blocks to the system. A larger slack trades memory for fewer refaulted blocks
/// (<c>MLSEG_CPU_CACHE_SLACK_MB</c> sets it at start-up). Cached memory stays resident between steps;
/// <see cref="Release"/> returns it, like torch.cuda.empty_cache. Set <c>MLSEG_CPU_CACHE=0</c> to start disabled.
/// </summary>
public static class CpuMemoryCache
{
    /// <summary>The smallest block the cache keeps (1 MiB); smaller ones go to glibc.</summary>
    public const long MinimumBlockBytes = 1L << 20;

    /// <summary>The default <see cref="SlackBytes"/> (32 MiB).</summary>
    public const long DefaultSlackBytes = 32L << 20;

    /// <summary>The environment variable that sets <see cref="SlackBytes"/> at start-up, in MiB.</summary>
    public const string SlackVariable = "MLSEG_CPU_CACHE_SLACK_MB";

    /// <summary>
    /// How far live plus cached blocks may go above the peak of live memory before cached ones are unmapped (default
    /// <see cref="DefaultSlackBytes"/>). More slack keeps more blocks, such as a large weight reorder that a single
    /// image's forward pass frees and needs again, at the cost of resident memory.
    /// </summary>
    public static long SlackBytes
    {
        get
        {
            LibTorch.EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_cpu_cache_get_slack(out long bytes), "cpu_cache_get_slack");
            return bytes;
        }
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            LibTorch.EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_cpu_cache_set_slack(value), "cpu_cache_set_slack");
        }
    }

    /// <summary>The environment variable that disables the cache at start-up when set to 0.</summary>
    public const string EnabledVariable = "MLSEG_CPU_CACHE";

    /// <summary>Whether libtorch's CPU allocator is the caching one (false if another allocator took precedence).</summary>
    public static bool IsInstalled
    {
        get
        {
            LibTorch.EnsureInitialized();
            return _installed;
        }
    }

    private static bool _installed;

    /// <summary>Whether freed large blocks are kept; turning it off returns every cached block.</summary>
    public static bool Enabled
    {
        get => Statistics.Enabled;
        set
        {
            LibTorch.EnsureInitialized();
            NativeStatus.Check(NativeMethods.mlseg_cpu_cache_set_enabled(value ? 1 : 0), "cpu_cache_set_enabled");
        }
    }

    /// <summary>Returns every cached (free) block to the system; live tensors are untouched.</summary>
    public static void Release()
    {
        LibTorch.EnsureInitialized();
        NativeStatus.Check(NativeMethods.mlseg_cpu_cache_release(), "cpu_cache_release");
    }

    /// <summary>The cache's counters now.</summary>
    public static unsafe CpuMemoryCacheStatistics Statistics
    {
        get
        {
            LibTorch.EnsureInitialized();
            long* values = stackalloc long[5];
            NativeStatus.Check(NativeMethods.mlseg_cpu_cache_stats(values, 5), "cpu_cache_stats");
            return new CpuMemoryCacheStatistics(values[0] != 0, values[1], values[2], values[3], values[4]);
        }
    }

    internal static void Install()
    {
        NativeStatus.Check(NativeMethods.mlseg_cpu_cache_install(out int installed), "cpu_cache_install");
        _installed = installed != 0;
        if (Environment.GetEnvironmentVariable(EnabledVariable)?.Trim() == "0")
            NativeStatus.Check(NativeMethods.mlseg_cpu_cache_set_enabled(0), "cpu_cache_set_enabled");
        if (Environment.GetEnvironmentVariable(SlackVariable) is { } slack && !string.IsNullOrWhiteSpace(slack))
        {
            if (!long.TryParse(slack.Trim(), out long megabytes) || megabytes < 0 || megabytes > (1L << 40))
                throw new InvalidOperationException($"{SlackVariable}='{slack}' is not a whole number of MiB >= 0");
            NativeStatus.Check(NativeMethods.mlseg_cpu_cache_set_slack(megabytes << 20), "cpu_cache_set_slack");
        }
    }
}

/// <summary>Counters of the caching CPU allocator (blocks of 1 MiB and more, sizes rounded up to 4 KiB pages).</summary>
/// <param name="Enabled">Whether freed blocks are kept.</param>
/// <param name="CachedBytes">Free blocks held for reuse.</param>
/// <param name="LiveBytes">Blocks held by tensors.</param>
/// <param name="Hits">Allocations served from the cache.</param>
/// <param name="Misses">Allocations that mapped new memory.</param>
public readonly record struct CpuMemoryCacheStatistics(bool Enabled, long CachedBytes, long LiveBytes, long Hits, long Misses);
