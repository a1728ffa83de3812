using System.Diagnostics;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>The timed repeats of one benchmark case: median seconds, managed bytes per repeat, garbage collections.</summary>
internal readonly record struct BenchTiming(double Seconds, double ManagedBytesPerStep, int Collections)
{
    /// <summary>
    /// Runs <paramref name="step"/> <paramref name="warmup"/> times, then <paramref name="repeats"/> timed times, each
    /// followed by <paramref name="sync"/> (waiting for queued device work); the managed bytes are this thread's, the
    /// collections all generations'.
    /// </summary>
    public static BenchTiming Measure(Action step, Action sync, int warmup, int repeats)
    {
        for (int i = 0; i < warmup; i++) step();
        sync();
        var times = new double[repeats];
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int collectionsBefore = GC.CollectionCount(0);
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            sync();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        double managedPerStep = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)repeats;
        int collections = GC.CollectionCount(0) - collectionsBefore;
        Array.Sort(times);
        return new BenchTiming(BenchWorkload.MedianOfSorted(times), managedPerStep, collections);
    }
}
