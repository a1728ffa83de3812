namespace MLNet.Segmentation.Engine;

/// <summary>How the process's CPU tensors get their memory (issue #21); chosen once per process by <see cref="CpuMemory"/>.</summary>
public enum CpuMemoryMode
{
    /// <summary>glibc and libtorch as they come: every large block is a fresh mmap whose 4 KiB pages fault in one by one.</summary>
    System,

    /// <summary>
    /// libtorch's transparent-huge-page allocation (THP_MEM_ALLOC_ENABLE): blocks of 2 MiB or more are page-aligned and
    /// madvise(MADV_HUGEPAGE)d, so they fault in 2 MiB at a time; the large ones are mappings of their own, returned to
    /// the system on free (<see cref="CpuMemory.MmapThresholdVariable"/> sets which).
    /// </summary>
    HugePages,

    /// <summary>glibc keeps freed memory mapped for reuse (<see cref="GlibcMalloc"/>): fast, but the kept heap fragments.</summary>
    KeepFreed,
}
