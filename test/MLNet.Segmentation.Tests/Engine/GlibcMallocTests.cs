using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// The glibc tuning does what it is for: in a fresh process, the later passes of a convolution over DeepLab-sized
/// activations (32 MiB each, above glibc's largest dynamic mmap threshold) reuses mapped pages (almost no minor page
/// faults), while with MLSEG_KEEP_FREED_MEMORY=0 every page of every activation faults in anew. (A single block freed
/// and allocated again is not a fair probe: glibc drops a thread heap that becomes empty, and mmaps blocks over 64 MiB on
/// threads other than the main one whatever the settings.)
/// </summary>
[TestClass]
public sealed class GlibcMallocTests
{
    /// <summary>The fresh-process job: prints "applied=B faults=N", N the fewest faults of passes 3 to 6.</summary>
    public const string FaultsJob = "glibc-faults";

    [TestMethod]
    public void FreedLargeTensorsAreReusedWithoutPageFaults()
    {
        if (!OperatingSystem.IsLinux()) Assert.Inconclusive("glibc only");
        var kept = Faults(new Dictionary<string, string>());
        var returned = Faults(new Dictionary<string, string> { [GlibcMalloc.SwitchVariable] = "0" });
        Assert.IsTrue(kept.Applied, "mallopt took effect");
        Assert.IsFalse(returned.Applied, "the switch turns it off");
        // Two 32 MiB activations per pass are 16,384 pages: glibc's default faults them all in every pass. Kept, both are
        // usually reused (3-70 faults), but in some runs one activation's 8,192 pages fault in again in every pass (seen
        // in about one run of ten on a loaded machine, also with MALLOC_ARENA_MAX=1, so not glibc's thread arenas; the
        // cause is open, see #21): at least one of the two is always reused.
        Assert.IsTrue(returned.Faults > 16_000, $"glibc's default faults in every page again: {returned.Faults}");
        Assert.IsTrue(kept.Faults < 0.6 * returned.Faults, $"kept memory is reused: {kept.Faults} minor page faults in the best of passes 3 to 6, {returned.Faults} without");
    }

    [TestMethod]
    public void TheSwitchIsReadFromTheEnvironment()
    {
        string? saved = Environment.GetEnvironmentVariable(GlibcMalloc.SwitchVariable);
        try
        {
            Environment.SetEnvironmentVariable(GlibcMalloc.SwitchVariable, "0");
            Assert.IsFalse(GlibcMalloc.Wanted);
            Environment.SetEnvironmentVariable(GlibcMalloc.SwitchVariable, "1");
            Assert.IsTrue(GlibcMalloc.Wanted);
        }
        finally
        {
            Environment.SetEnvironmentVariable(GlibcMalloc.SwitchVariable, saved);
        }
    }

    private static (bool Applied, long Faults) Faults(IReadOnlyDictionary<string, string> environment)
    {
        var (exit, output, error) = ChildProcess.RunTestAssemblyWith(environment, FaultsJob);
        Assert.AreEqual(0, exit, error + output);
        var match = System.Text.RegularExpressions.Regex.Match(output, @"applied=(True|False) faults=(\d+)");
        Assert.IsTrue(match.Success, output);
        return (match.Groups[1].Value == "True", long.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Runs in the child process: DeepLab-sized activations (8 x 256 x 64 x 64, 32 MiB) through a convolution.</summary>
    public static int RunFaultsJob()
    {
        TorchRuntime.EnsureInitialized();
        using var input = randn(8, 256, 64, 64);
        using var weight = randn(256, 256, 1, 1) * 0.01;
        // The fewest faults of passes 3..6: the runtime's own work (tiered JIT, GC) on a loaded machine can fault pages
        // during any one pass; reuse shows as a pass without the activations' pages, a fresh heap as none such.
        long faults = long.MaxValue;
        for (int pass = 0; pass < 6; pass++)
        {
            long before = MinorFaults();
            using (no_grad())
            using (var output = nn.functional.conv2d(input, weight))
            using (var activated = nn.functional.relu(output))
                _ = activated.sum().item<float>();
            if (pass >= 2) faults = Math.Min(faults, MinorFaults() - before);
        }
        Console.WriteLine($"applied={GlibcMalloc.Applied} faults={faults}");
        return 0;
    }

    // Field 10 of /proc/self/stat (after the parenthesised command name): minor faults of the process.
    private static long MinorFaults()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], System.Globalization.CultureInfo.InvariantCulture);
    }
}
