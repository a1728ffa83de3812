using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class CpuMemoryCacheTests
{
    private const long MiB = 1 << 20;

    private static Tensor FloatsOf(long bytes, double value) => Tensor.Full([bytes / sizeof(float)], value);

    [TestInitialize]
    public void StartFromAnEmptyCache()
    {
        Assert.IsTrue(CpuMemoryCache.IsInstalled, "the caching allocator should be libtorch's CPU allocator");
        CpuMemoryCache.Enabled = true;
        CpuMemoryCache.Release();
    }

    [TestCleanup]
    public void LeaveItEnabled() => CpuMemoryCache.Enabled = true;

    [TestMethod]
    public void AFreedBlockServesTheNextAllocationOfItsSize()
    {
        FloatsOf(8 * MiB, 1).Dispose();
        var afterFirst = CpuMemoryCache.Statistics;
        Assert.AreEqual(8 * MiB, afterFirst.CachedBytes, "the freed 8 MiB block should be cached");

        using var second = FloatsOf(8 * MiB, 2);
        var afterSecond = CpuMemoryCache.Statistics;
        Assert.AreEqual(afterFirst.Hits + 1, afterSecond.Hits);
        Assert.AreEqual(afterFirst.Misses, afterSecond.Misses);
        Assert.AreEqual(0, afterSecond.CachedBytes);
        Assert.AreEqual(2.0 * 2 * MiB, second.Sum().ToDouble(), "a reused block holds the new tensor's values");
    }

    [TestMethod]
    public void ABlockUpToAQuarterLargerIsReusedButNotALargerOne()
    {
        FloatsOf(10 * MiB, 1).Dispose();
        var cached = CpuMemoryCache.Statistics;
        using (var smaller = FloatsOf(9 * MiB, 3))
        {
            Assert.AreEqual(cached.Hits + 1, CpuMemoryCache.Statistics.Hits, "9 MiB fits a cached 10 MiB block");
            Assert.AreEqual(3.0 * 9 * MiB / 4, smaller.Sum().ToDouble());
        }
        var beforeSmall = CpuMemoryCache.Statistics;
        using var muchSmaller = FloatsOf(4 * MiB, 1);
        Assert.AreEqual(beforeSmall.Misses + 1, CpuMemoryCache.Statistics.Misses, "4 MiB must not take a 10 MiB block");
    }

    [TestMethod]
    public void AMissThatWouldExceedThePeakUnmapsCachedBlocksFirst()
    {
        // The peak of requested live memory is 16 MiB (one tensor at a time beside the others alive now).
        FloatsOf(16 * MiB, 1).Dispose();
        Assert.AreEqual(16 * MiB, CpuMemoryCache.Statistics.CachedBytes);
        FloatsOf(8 * MiB, 1).Dispose();  // a miss: the cached 16 MiB block beside a new 8 MiB one would exceed the peak
        var before = CpuMemoryCache.Statistics;
        Assert.AreEqual(8 * MiB, before.CachedBytes, "only the 8 MiB block should be left");

        using var sixteen = FloatsOf(16 * MiB, 1);  // a miss again: the 8 MiB block is unmapped before mapping 16 MiB
        var after = CpuMemoryCache.Statistics;
        Assert.AreEqual(before.Misses + 1, after.Misses);
        Assert.AreEqual(0, after.CachedBytes, "the cached 8 MiB block should have been unmapped");
        Assert.AreEqual(before.LiveBytes + 16 * MiB, after.LiveBytes);
    }

    [TestMethod]
    public void SmallBlocksAreNotCached()
    {
        var before = CpuMemoryCache.Statistics;
        for (int i = 0; i < 100; i++) FloatsOf(64 * 1024, i).Dispose();
        var after = CpuMemoryCache.Statistics;
        Assert.AreEqual(before.Hits, after.Hits);
        Assert.AreEqual(before.Misses, after.Misses);
        Assert.AreEqual(0, after.CachedBytes);
    }

    [TestMethod]
    public void ReleaseReturnsEveryCachedBlockAndLeavesLiveTensorsIntact()
    {
        using var kept = FloatsOf(4 * MiB, 5);
        FloatsOf(4 * MiB, 1).Dispose();
        FloatsOf(12 * MiB, 1).Dispose();
        Assert.IsTrue(CpuMemoryCache.Statistics.CachedBytes >= 12 * MiB);
        CpuMemoryCache.Release();
        Assert.AreEqual(0, CpuMemoryCache.Statistics.CachedBytes);
        Assert.AreEqual(5.0 * MiB, kept.Sum().ToDouble());
    }

    [TestMethod]
    public void DisabledCacheKeepsNothingAndCountsNothing()
    {
        using var mappedBefore = FloatsOf(4 * MiB, 7);
        CpuMemoryCache.Enabled = false;
        Assert.IsFalse(CpuMemoryCache.Enabled);
        var before = CpuMemoryCache.Statistics;
        for (int i = 0; i < 5; i++) FloatsOf(8 * MiB, i).Dispose();
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
            for (int i = 0; i < 50; i++)
            {
                long bytes = (1 + (i + worker) % 3) * 2 * MiB;
                using var tensor = FloatsOf(bytes, worker + 1);
                Thread.Yield();
                double sum = tensor.Sum().ToDouble();
                double expected = (worker + 1.0) * bytes / sizeof(float);
                if (sum != expected) failures.Add($"worker {worker}, iteration {i}: sum {sum}, expected {expected}");
            }
        });
        Assert.AreEqual(0, failures.Count, string.Join("; ", failures.Take(3)));
        var stats = CpuMemoryCache.Statistics;
        Assert.IsTrue(stats.Hits > 0, "repeated sizes should have been served from the cache");
    }
}
