using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class CpuMemoryCacheTests
{
    private const long MiB = 1 << 20;

    /// <summary>The <see cref="TestProgram"/> job that prints <see cref="CpuMemoryCache.SlackBytes"/> in a fresh process.</summary>
    internal const string SlackJob = "cpu-cache-slack";

    private static Tensor FloatsOf(long bytes, double value) => Tensor.Full([bytes / sizeof(float)], value);

    private static void AssertAllEqual(Tensor tensor, double value, string message)
    {
        Assert.AreEqual(value, tensor.Min().ToDouble(), message);
        Assert.AreEqual(value, tensor.Max().ToDouble(), message);
    }

    [TestInitialize]
    public void StartFromAnEmptyCache()
    {
        Assert.IsTrue(CpuMemoryCache.IsInstalled, "the caching allocator should be libtorch's CPU allocator");
        CpuMemoryCache.Enabled = true;
        CpuMemoryCache.Release();
    }

    [TestCleanup]
    public void LeaveItEnabled()
    {
        CpuMemoryCache.Enabled = true;
        CpuMemoryCache.SlackBytes = CpuMemoryCache.DefaultSlackBytes;
    }

    [TestMethod]
    public void BlocksFromTheMinimumSizeUpAreCachedAndSmallerOnesAreNot()
    {
        var before = CpuMemoryCache.Statistics;
        for (int i = 0; i < 3; i++) FloatsOf(CpuMemoryCache.MinimumBlockBytes - 4096, i).Dispose();
        for (int i = 0; i < 100; i++) FloatsOf(64 * 1024, i).Dispose();
        var afterSmaller = CpuMemoryCache.Statistics;
        Assert.AreEqual(before.Hits + before.Misses, afterSmaller.Hits + afterSmaller.Misses, "blocks below the minimum are glibc's");
        Assert.AreEqual(0, afterSmaller.CachedBytes);
        for (int i = 0; i < 3; i++) FloatsOf(CpuMemoryCache.MinimumBlockBytes, i).Dispose();
        var afterMinimum = CpuMemoryCache.Statistics;
        Assert.AreEqual(afterSmaller.Misses + 1, afterMinimum.Misses);
        Assert.AreEqual(afterSmaller.Hits + 2, afterMinimum.Hits);
        Assert.AreEqual(CpuMemoryCache.MinimumBlockBytes, afterMinimum.CachedBytes);
    }

    [TestMethod]
    public void CachedBlocksMayGoUpToTheSlackAboveThePeakOfLiveMemory()
    {
        // The peak of requested live memory is 64 MiB. A 24 MiB miss beside the cached 64 MiB block stays within the
        // slack (88 <= 64 + 32), so both are kept; another 16 MiB miss would reach 104 MiB and unmaps the oldest.
        FloatsOf(64 * MiB, 1).Dispose();
        FloatsOf(24 * MiB, 1).Dispose();
        Assert.AreEqual(88 * MiB, CpuMemoryCache.Statistics.CachedBytes, "both blocks are kept within the slack");
        FloatsOf(16 * MiB, 1).Dispose();
        Assert.AreEqual(40 * MiB, CpuMemoryCache.Statistics.CachedBytes, "the 64 MiB block, the oldest, was unmapped");
    }

    [TestMethod]
    public void TheSlackVariableSetsTheSlackAtStartUpAndABadValueIsNamed()
    {
        var set = ChildProcess.RunTestAssemblyWith(new Dictionary<string, string> { [CpuMemoryCache.SlackVariable] = "256" }, SlackJob);
        Assert.AreEqual(0, set.ExitCode, set.Error);
        Assert.AreEqual((256 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture), set.Output.Trim());
        var bad = ChildProcess.RunTestAssemblyWith(new Dictionary<string, string> { [CpuMemoryCache.SlackVariable] = "lots" }, SlackJob);
        Assert.AreEqual(1, bad.ExitCode);
        StringAssert.Contains(bad.Error, "MLSEG_CPU_CACHE_SLACK_MB='lots' is not a whole number of MiB");
    }

    [TestMethod]
    public void TheSlackIsSettableAndWithoutItNothingIsCachedAboveThePeak()
    {
        Assert.AreEqual(CpuMemoryCache.DefaultSlackBytes, CpuMemoryCache.SlackBytes);
        CpuMemoryCache.SlackBytes = 0;
        Assert.AreEqual(0, CpuMemoryCache.SlackBytes);
        FloatsOf(64 * MiB, 1).Dispose();
        FloatsOf(24 * MiB, 1).Dispose();  // 64 cached + 24 new > the 64 MiB peak: the 64 MiB block goes first
        Assert.AreEqual(24 * MiB, CpuMemoryCache.Statistics.CachedBytes);

        CpuMemoryCache.SlackBytes = 512 * MiB;
        FloatsOf(256 * MiB, 1).Dispose();
        FloatsOf(200 * MiB, 1).Dispose();
        Assert.AreEqual((24 + 256 + 200) * MiB, CpuMemoryCache.Statistics.CachedBytes, "all kept within 512 MiB above the peak");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuMemoryCache.SlackBytes = -1);
    }

    [TestMethod]
    public void AFreedBlockServesTheNextAllocationOfItsSize()
    {
        FloatsOf(64 * MiB, 1).Dispose();
        var afterFirst = CpuMemoryCache.Statistics;
        Assert.AreEqual(64 * MiB, afterFirst.CachedBytes, "the freed 64 MiB block should be cached");

        using var second = FloatsOf(64 * MiB, 2);
        var afterSecond = CpuMemoryCache.Statistics;
        Assert.AreEqual(afterFirst.Hits + 1, afterSecond.Hits);
        Assert.AreEqual(afterFirst.Misses, afterSecond.Misses);
        Assert.AreEqual(0, afterSecond.CachedBytes);
        AssertAllEqual(second, 2, "a reused block holds the new tensor's values");
    }

    [TestMethod]
    public void ABlockUpToAQuarterLargerIsReusedButNotALargerOne()
    {
        FloatsOf(80 * MiB, 1).Dispose();
        var cached = CpuMemoryCache.Statistics;
        using (var smaller = FloatsOf(72 * MiB, 3))
        {
            Assert.AreEqual(cached.Hits + 1, CpuMemoryCache.Statistics.Hits, "72 MiB fits a cached 80 MiB block");
            AssertAllEqual(smaller, 3, "the reused block holds the new values");
        }
        var beforeSmall = CpuMemoryCache.Statistics;
        using var muchSmaller = FloatsOf(40 * MiB, 1);
        Assert.AreEqual(beforeSmall.Misses + 1, CpuMemoryCache.Statistics.Misses, "40 MiB must not take an 80 MiB block");
    }

    [TestMethod]
    public void AMissThatWouldExceedThePeakUnmapsCachedBlocksFirst()
    {
        // The peak of requested live memory is 128 MiB (one tensor at a time beside the others alive now).
        FloatsOf(128 * MiB, 1).Dispose();
        Assert.AreEqual(128 * MiB, CpuMemoryCache.Statistics.CachedBytes);
        FloatsOf(64 * MiB, 1).Dispose();  // a miss: the cached 128 MiB block beside a new 64 MiB one would exceed the peak
        var before = CpuMemoryCache.Statistics;
        Assert.AreEqual(64 * MiB, before.CachedBytes, "only the 64 MiB block should be left");

        using var large = FloatsOf(128 * MiB, 1);  // a miss again: the 64 MiB block is unmapped before mapping 128 MiB
        var after = CpuMemoryCache.Statistics;
        Assert.AreEqual(before.Misses + 1, after.Misses);
        Assert.AreEqual(0, after.CachedBytes, "the cached 64 MiB block should have been unmapped");
        Assert.AreEqual(before.LiveBytes + 128 * MiB, after.LiveBytes);
    }

    [TestMethod]
    public void ReleaseReturnsEveryCachedBlockAndLeavesLiveTensorsIntact()
    {
        using var kept = FloatsOf(32 * MiB, 5);
        FloatsOf(32 * MiB, 1).Dispose();
        FloatsOf(96 * MiB, 1).Dispose();
        Assert.IsTrue(CpuMemoryCache.Statistics.CachedBytes >= 96 * MiB);
        CpuMemoryCache.Release();
        Assert.AreEqual(0, CpuMemoryCache.Statistics.CachedBytes);
        AssertAllEqual(kept, 5, "a live tensor keeps its values");
    }

    [TestMethod]
    public void DisabledCacheKeepsNothingAndCountsNothing()
    {
        using var mappedBefore = FloatsOf(32 * MiB, 7);
        CpuMemoryCache.Enabled = false;
        Assert.IsFalse(CpuMemoryCache.Enabled);
        var before = CpuMemoryCache.Statistics;
        for (int i = 0; i < 5; i++) FloatsOf(64 * MiB, i).Dispose();
        mappedBefore.Dispose();  // a block mapped while enabled is unmapped, not cached
        var after = CpuMemoryCache.Statistics;
        Assert.AreEqual(before.Hits, after.Hits);
        Assert.AreEqual(before.Misses, after.Misses);
        Assert.AreEqual(0, after.CachedBytes);
    }

    [TestMethod]
    public void ConcurrentAllocationsNeverShareABlock()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, worker =>
        {
            for (int i = 0; i < 20; i++)
            {
                long bytes = (1 + (i + worker) % 3) * 32 * MiB;
                using var tensor = FloatsOf(bytes, worker + 1);
                Thread.Yield();
                double min = tensor.Min().ToDouble(), max = tensor.Max().ToDouble();
                if (min != worker + 1 || max != worker + 1) failures.Add($"worker {worker}, iteration {i}: values {min}..{max}, expected {worker + 1}");
            }
        });
        Assert.AreEqual(0, failures.Count, string.Join("; ", failures.Take(3)));
        var stats = CpuMemoryCache.Statistics;
        Assert.IsTrue(stats.Hits > 0, "repeated sizes should have been served from the cache");
    }
}
