using System.Runtime.InteropServices;

namespace MLNet.Segmentation.Engine;

/// <summary>
/// libtorch's own transparent-huge-page switch for CPU tensors: with the environment variable THP_MEM_ALLOC_ENABLE=1
/// seen by libtorch's first allocation, every block of 2 MiB or more is page-aligned and madvise(MADV_HUGEPAGE)d. The
/// variable has to be in the native environment (.NET's Environment.SetEnvironmentVariable does not reach it on Unix),
/// so it is set with libc's setenv, and only when the process has not set it itself.
/// </summary>
internal static class HugePageTensors
{
    /// <summary>libtorch's variable (c10/core/impl/alloc_cpu.cpp), read once, at its first CPU allocation.</summary>
    public const string LibTorchVariable = "THP_MEM_ALLOC_ENABLE";

    private const string ThpSetting = "/sys/kernel/mm/transparent_hugepage/enabled";
    private const int Probes = 3;
    // Above libtorch's 2 MiB threshold, and above glibc's 32 MiB ceiling for its dynamic mmap threshold: freeing a smaller
    // mmapped block would raise that threshold (and the trim threshold) to the block's size for the rest of the process,
    // sending every later block below it to the heap. The probe's pages are never touched, so it costs no memory.
    private const nuint ProbeBytes = 40 << 20;

    /// <summary>Whether the kernel grants transparent huge pages to madvised memory ("always" or "madvise" selected).</summary>
    public static bool KernelAllows()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            string setting = File.ReadAllText(ThpSetting);
            return setting.Contains("[always]", StringComparison.Ordinal) || setting.Contains("[madvise]", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>Sets THP_MEM_ALLOC_ENABLE=1 in the native environment unless the process set it; call before libtorch loads.</summary>
    public static void RequestBeforeLibTorchLoads()
    {
        try
        {
            _ = setenv(LibTorchVariable, "1", overwrite: 0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // not glibc: libtorch's switch is Linux-only anyway
        }
    }

    /// <summary>
    /// Whether libtorch took the switch: its huge-page blocks are page-aligned, while its default 64-byte alignment puts
    /// a glibc block just past the chunk header (an mmapped chunk is never page-aligned then; a heap chunk is once in 64).
    /// </summary>
    public static bool InEffect()
    {
        if (!OperatingSystem.IsLinux()) return false;
        var blocks = new List<IntPtr>(Probes);
        try
        {
            for (int probe = 0; probe < Probes; probe++) blocks.Add(alloc_cpu(ProbeBytes));
            return blocks.All(block => block != IntPtr.Zero && block % Environment.SystemPageSize == 0);
        }
        finally
        {
            foreach (var block in blocks) free_cpu(block);
        }
    }

    // c10::alloc_cpu(size_t) and c10::free_cpu(void*): the allocator behind every CPU tensor (libc10.so, Linux names).
    [DllImport("libc10", EntryPoint = "_ZN3c109alloc_cpuEm")]
    private static extern IntPtr alloc_cpu(nuint bytes);

    [DllImport("libc10", EntryPoint = "_ZN3c108free_cpuEPv")]
    private static extern void free_cpu(IntPtr block);

    [DllImport("libc.so.6", EntryPoint = "setenv")]
    private static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
