namespace MLNet.Segmentation.Engine;

/// <summary>
/// Where CPU tensors get their memory (issue #21), chosen once per process by <see cref="TorchRuntime.EnsureInitialized"/>
/// from the MLSEG_CPU_MEMORY environment variable: "hugepages", "keep", "system" or "auto" (the default: huge pages
/// where the kernel grants them to madvised memory, else glibc keeping freed memory). With glibc's defaults every batch
/// page-faults its large activations in 4 KiB at a time; huge pages fault them in 2 MiB at a time and still hand them
/// back on free, so they keep the system's peak memory, while the kept heap is as fast but fragments (SegNet training at
/// 8 x 256x256 here: 30.6 s per step as the system has it, 12.2 s with huge pages at the same 3.9 GB peak, 11.7 s kept
/// at 6.1 GB; BENCHMARKS.md).
/// </summary>
public static class CpuMemory
{
    /// <summary>The environment variable that picks the mode (auto, hugepages, keep or system).</summary>
    public const string ModeVariable = "MLSEG_CPU_MEMORY";

    private static readonly string[] Names = ["auto", "hugepages", "keep", "system"];

    /// <summary>The mode in effect in this process (known once <see cref="TorchRuntime.EnsureInitialized"/> has run).</summary>
    public static CpuMemoryMode Mode { get; private set; } = CpuMemoryMode.System;

    /// <summary>
    /// The mode MLSEG_CPU_MEMORY asks for, null for "auto" or unset. An unknown value throws an
    /// <see cref="InvalidOperationException"/> that names the variable and the known values.
    /// </summary>
    public static CpuMemoryMode? Requested()
    {
        string? value = Environment.GetEnvironmentVariable(ModeVariable)?.Trim();
        return value?.ToLowerInvariant() switch
        {
            null or "" or "auto" => null,
            "hugepages" => CpuMemoryMode.HugePages,
            "keep" => CpuMemoryMode.KeepFreed,
            "system" => CpuMemoryMode.System,
            _ => throw new InvalidOperationException($"{ModeVariable}='{value}' is not one of {string.Join(", ", Names)}"),
        };
    }

    /// <summary>
    /// The environment variable that fixes glibc's mmap threshold in the huge-page mode, in MiB; 0 (the default) keeps
    /// glibc's sliding threshold, which rises up to 32 MiB as mapped blocks are freed. A fixed 2 MiB makes every
    /// huge-page block a mapping of its own that goes back on free: the lowest peak memory (SegNet training here:
    /// 3.58 GB against 3.95 GB), but blocks of a few MiB then fault in anew every step, mostly in 4 KiB pages, since a
    /// mapping that small rarely holds a whole aligned huge page (DeepLab v3+ training: 9.9 s per step against 5.9 s).
    /// </summary>
    public const string MmapThresholdVariable = "MLSEG_MMAP_THRESHOLD_MIB";

    /// <summary>The default of <see cref="MmapThresholdVariable"/>: glibc's sliding threshold.</summary>
    public const int DefaultMmapThresholdMiB = 0;

    /// <summary>MLSEG_MMAP_THRESHOLD_MIB when set (0..1024), else <see cref="DefaultMmapThresholdMiB"/>.</summary>
    public static int MmapThresholdMiB()
    {
        string? value = Environment.GetEnvironmentVariable(MmapThresholdVariable)?.Trim();
        if (string.IsNullOrEmpty(value)) return DefaultMmapThresholdMiB;
        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int mib) && mib <= 1024
            ? mib
            : throw new InvalidOperationException($"{MmapThresholdVariable}='{value}' is not a whole number of MiB from 0 to 1024");
    }

    /// <summary>What "auto" picks on this machine.</summary>
    public static CpuMemoryMode AutomaticChoice() =>
        HugePageTensors.KernelAllows() ? CpuMemoryMode.HugePages : OperatingSystem.IsLinux() ? CpuMemoryMode.KeepFreed : CpuMemoryMode.System;

    /// <summary>One line for `mlseg info` and benchmark headers: the mode and how to change it.</summary>
    public static string Describe() => Mode switch
    {
        CpuMemoryMode.HugePages => $"huge pages for blocks of 2 MiB or more (libtorch {HugePageTensors.LibTorchVariable}; {ModeVariable}=keep|system changes it)",
        CpuMemoryMode.KeepFreed => $"freed memory kept for reuse (glibc mallopt; {ModeVariable}=hugepages|system changes it)",
        _ => $"glibc and libtorch defaults ({ModeVariable}=hugepages|keep changes it)",
    };

    /// <summary>Hands kept free heap memory back to the system (glibc malloc_trim), e.g. between two benchmarked networks.</summary>
    public static bool Release() => GlibcMalloc.Release();

    // Before libtorch loads: the huge-page switch must be in the native environment at libtorch's first allocation.
    internal static CpuMemoryMode PrepareBeforeLibTorchLoads(CpuMemoryMode? requested)
    {
        var wanted = requested ?? AutomaticChoice();
        if (wanted == CpuMemoryMode.HugePages) HugePageTensors.RequestBeforeLibTorchLoads();
        return wanted;
    }

    // After libtorch loads: checks that huge pages took (libtorch may have allocated before, or the process may have
    // set THP_MEM_ALLOC_ENABLE=0); "auto" then falls back to the kept heap.
    internal static void ApplyAfterLibTorchLoads(CpuMemoryMode wanted, bool automatic, int mmapThresholdMiB)
    {
        if (wanted == CpuMemoryMode.HugePages)
        {
            if (HugePageTensors.InEffect())
            {
                if (mmapThresholdMiB > 0) _ = GlibcMalloc.TryFixMmapThreshold(mmapThresholdMiB << 20);
                Mode = CpuMemoryMode.HugePages;
                return;
            }
            if (!automatic) { Mode = CpuMemoryMode.System; return; }
            wanted = CpuMemoryMode.KeepFreed;
        }
        Mode = wanted == CpuMemoryMode.KeepFreed && GlibcMalloc.TryApply() ? CpuMemoryMode.KeepFreed : CpuMemoryMode.System;
    }
}
