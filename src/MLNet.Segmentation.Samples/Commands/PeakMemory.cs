using System.Globalization;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>Peak resident memory of this process (Linux: VmHWM, resettable through /proc/self/clear_refs).</summary>
internal static class PeakMemory
{
    public static void Reset()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux or not permitted: the peak then covers the whole process.
        }
    }

    /// <summary>The peak resident memory since the last <see cref="Reset"/> (VmHWM), in MB.</summary>
    public static double ResidentMegabytes() => StatusMegabytes("VmHWM:");

    /// <summary>The resident memory now (VmRSS), in MB.</summary>
    public static double CurrentMegabytes() => StatusMegabytes("VmRSS:");

    private static double StatusMegabytes(string key)
    {
        if (!File.Exists("/proc/self/status")) return Environment.WorkingSet / 1048576.0;
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(key, StringComparison.Ordinal))
                return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
        return double.NaN;
    }
}
