using System.Diagnostics;

namespace MLNet.Segmentation.Tests.Hostile;

/// <summary>
/// The process's peak resident memory over a stretch of code: Linux's high-water mark (VmHWM) is reset to the current
/// resident size through /proc/self/clear_refs ("5") at the start, so what earlier tests used does not hide growth;
/// elsewhere <see cref="Process.PeakWorkingSet64"/> (not resettable) is used.
/// </summary>
internal sealed class PeakMemory
{
    private readonly long _baseline;
    private readonly bool _reset;

    private PeakMemory(long baseline, bool reset)
    {
        _baseline = baseline;
        _reset = reset;
    }

    /// <summary>Starts measuring (after a full collection, so managed garbage of earlier tests does not count).</summary>
    public static PeakMemory Start()
    {
        ManagedGarbage.Collect();
        bool reset = TryReset();
        return new PeakMemory(reset ? ReadStatus("VmRSS:") : CurrentPeak(), reset);
    }

    /// <summary>Bytes the peak rose above the resident size (or earlier peak) at the start.</summary>
    public long GrowthBytes => Math.Max(0, (_reset ? ReadStatus("VmHWM:") : CurrentPeak()) - _baseline);

    /// <summary>The growth in MiB, for messages.</summary>
    public double GrowthMiB => GrowthBytes / (1024.0 * 1024.0);

    private static long CurrentPeak()
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        return process.PeakWorkingSet64;
    }

    private static bool TryReset()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return false;
            File.WriteAllText("/proc/self/clear_refs", "5");
            return ReadStatus("VmHWM:") > 0;
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    private static long ReadStatus(string key)
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        return 0;
    }
}
