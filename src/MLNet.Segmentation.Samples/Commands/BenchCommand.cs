using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Samples.Cli;
using Spectre.Console;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg bench`: times a full training step (forward, cross-entropy, backward, Adam) and batched inference of U-Net,
/// SegNet, FCN-8s and DeepLab v3+ (ResNet-50), after warm-up, median of repeats, with peak RSS; after each network it
/// runs the committed PyTorch script (build/bench/models.py) on the same network with the same settings, and prints
/// both side by side with ratios.
/// </summary>
public sealed class BenchCommand : ICommand
{
    private const string Usage =
        "usage: mlseg bench [--arch unet,segnet,fcn8s,deeplabv3plus] [--batch 8] [--size 256] [--classes 21] [--warmup 2] [--repeats 5] " +
        "[--phases train,infer] [--device cpu|cuda] [--precision fp32|bf16|fp16] [--channels-last] [--infer-layout auto|contiguous|channels-last] [--cuda-graphs] [--cudnn-benchmark] [--python /usr/bin/python3] [--script build/bench/models.py] [--no-peer] [--json]";

    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Summary => "training-step and inference speed and peak memory, side by side with PyTorch";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, TextWriter output)
    {
        var a = new Arguments(args, Usage,
            ["--arch", "--batch", "--size", "--classes", "--warmup", "--repeats", "--phases", "--device", "--precision", "--python", "--script", "--infer-layout"], ["--no-peer", "--json", "--channels-last", "--cuda-graphs", "--cudnn-benchmark"]);
        var archs = BenchWorkload.ParseArchitectures(a);
        var settings = new BenchSettings(a.Int("--batch", 8, 1, 1024), a.Int("--size", 256, 32, 4096), a.Int("--classes", 21, 2, 256),
            a.Int("--warmup", 2, 0, 100), a.Int("--repeats", 5, 1, 1000),
            BenchWorkload.ParseDevice(a),
            a.Choice("--precision", "fp32", "fp32", "bf16", "fp16"), a.Has("--channels-last"), ParsePhases(a), a.Choice("--infer-layout", "auto", "auto", "contiguous", "channels-last"),
            a.Has("--cuda-graphs"), a.Has("--cudnn-benchmark"));
        if (settings.Precision == "fp16" && settings.Device.Type != DeviceType.Cuda) throw a.Usage("--precision fp16 needs --device cuda");
        if (settings.CudaGraphs && settings.Device.Type != DeviceType.Cuda) throw a.Usage("--cuda-graphs needs --device cuda");
        LibTorch.CudnnBenchmark = settings.CudnnBenchmark;

        // Ours and PyTorch alternate network by network, so that a machine slowing down (or speeding up) during the run
        // weighs on both sides of each ratio alike rather than on whichever side runs last.
        var ours = new List<JsonObject>();
        var peer = new List<JsonObject>();
        foreach (string arch in archs)
        {
            ours.Add(Measure(arch, settings));
            if (!a.Has("--no-peer")) peer.AddRange(RunPeer(a, [arch], settings));
        }
        if (a.Has("--json"))
        {
            foreach (var row in ours.Concat(peer)) output.WriteLine(row.ToJsonString());
            return Task.FromResult(0);
        }
        var terminal = new Terminal(output);
        terminal.Line($"mlseg bench: batch {settings.Batch}, {settings.Size}x{settings.Size}, {settings.Classes} classes, {settings.Device}, {settings.Precision}{(settings.ChannelsLast ? ", channels-last" : "")}; " +
                      $"libtorch {LibTorch.Version}, {LibTorch.Threads} threads; median of {settings.Repeats} after {settings.Warmup} warm-up");
        var table = new Table().Border(TableBorder.Rounded).AddColumn("network").AddColumn("framework")
            .AddColumn(new TableColumn("train img/s").RightAligned()).AddColumn(new TableColumn("infer img/s").RightAligned())
            .AddColumn(new TableColumn("train peak RSS MB").RightAligned()).AddColumn(new TableColumn("step time ours/torch").RightAligned())
            .AddColumn(new TableColumn("infer time ours/torch").RightAligned()).AddColumn(new TableColumn("RSS ours/torch").RightAligned());
        bool cuda = settings.Device.Type == DeviceType.Cuda;
        if (cuda)
            table.AddColumn(new TableColumn("train CUDA peak ours/torch").RightAligned()).AddColumn(new TableColumn("infer CUDA peak ours/torch").RightAligned());
        foreach (var row in ours)
        {
            string arch = row["arch"]!.GetValue<string>();
            var other = peer.FirstOrDefault(p => p["arch"]?.GetValue<string>() == arch);
            var cells = new List<string>
            {
                arch, "MLNet.Segmentation", F(row, "train_images_per_s"), F(row, "infer_images_per_s"), F(row, "train_peak_rss_mb"),
                Ratio(row, other, "train_step_ms"), Ratio(row, other, "infer_ms"), Ratio(row, other, "train_peak_rss_mb"),
            };
            if (cuda) cells.AddRange([Ratio(row, other, "train_cuda_peak_allocated_mb"), Ratio(row, other, "infer_cuda_peak_allocated_mb")]);
            table.AddRow(cells.ToArray());
            if (other is not null)
            {
                // The peer's own figures; its ratio columns stay empty.
                string[] peerCells = ["", other["framework"]!.GetValue<string>(), F(other, "train_images_per_s"), F(other, "infer_images_per_s"), F(other, "train_peak_rss_mb")];
                table.AddRow([.. peerCells, .. Enumerable.Repeat("", table.Columns.Count - peerCells.Length)]);
            }
        }
        terminal.Console.Write(table);
        return Task.FromResult(0);
    }

    private sealed record BenchSettings(int Batch, int Size, int Classes, int Warmup, int Repeats, Device Device, string Precision, bool ChannelsLast,
        (bool Train, bool Infer) Phases, string InferLayoutChoice, bool CudaGraphs, bool CudnnBenchmark)
    {
        /// <summary>
        /// Our inference layout: channels-last with --channels-last (both sides, both phases); otherwise --infer-layout,
        /// whose default (auto, null here) is what SegmentationPredictor does by default (<see cref="InferenceLayout.For"/>).
        /// </summary>
        public MemoryFormat? InferLayout => ChannelsLast ? MemoryFormat.ChannelsLast : InferLayoutChoice switch
        {
            "contiguous" => MemoryFormat.Contiguous,
            "channels-last" => MemoryFormat.ChannelsLast,
            _ => null,
        };
    }

    private static (bool Train, bool Infer) ParsePhases(Arguments a)
    {
        var phases = (a.String("--phases") ?? "train,infer").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        foreach (string phase in phases)
            if (phase is not ("train" or "infer")) throw a.Usage($"--phases: unknown '{phase}'; known: train,infer");
        if (phases.Length == 0) throw a.Usage("--phases: name train, infer or both");
        return (phases.Contains("train"), phases.Contains("infer"));
    }

    private static JsonObject Measure(string arch, BenchSettings s)
    {
        using var workload = new BenchWorkload(arch, s.Batch, s.Size, s.Classes, s.Device, s.Precision, s.ChannelsLast);
        var row = new JsonObject
        {
            ["framework"] = $"mlnet-segmentation (libtorch {LibTorch.Version})", ["arch"] = arch, ["batch"] = s.Batch, ["size"] = s.Size,
            ["device"] = s.Device.ToString(), ["amp"] = s.Precision == "fp32" ? "none" : s.Precision, ["channels_last"] = s.ChannelsLast,
            ["cudnn_benchmark"] = s.CudnnBenchmark,
        };
        if (s.Phases.Train)
        {
            workload.Module.Train();
            MeasurePhase(row, "train", "train_step_ms", workload.TrainStep, workload.Sync, s);
            row["train_optimizer_foreach"] = workload.OptimizerForeachSteps > 0;
        }
        if (s.Phases.Infer)
        {
            var layout = workload.PrepareInference(s.InferLayout, s.CudaGraphs);
            row["infer_layout"] = (layout == MemoryFormat.ChannelsLast ? "channels_last" : "contiguous") + (s.InferLayout is null ? " (auto)" : "");
            row["cuda_graphs"] = s.CudaGraphs;
            if (s.CudaGraphs) row["cuda_graph_argmax_agreement"] = Math.Round(workload.CudaGraphAgreement(), 6);
            MeasurePhase(row, "infer", "infer_ms", workload.Infer, workload.Sync, s);
        }
        return row;
    }

    /// <summary>
    /// Times one phase into <paramref name="row"/>: <paramref name="timeKey"/> (median ms), then images/s, peak RSS and
    /// CPU cache hit rate under <paramref name="prefix"/>, and on CUDA the allocator's peak allocated memory. The phase
    /// starts from an empty CPU block cache and reset peaks, so its peaks are its own (not the previous network's or phase's).
    /// </summary>
    private static void MeasurePhase(JsonObject row, string prefix, string timeKey, Action step, Action sync, BenchSettings s)
    {
        CpuMemoryCache.Release();
        PeakMemory.Reset();
        bool cuda = s.Device.Type == DeviceType.Cuda;
        if (cuda) CudaMemory.ResetPeak(s.Device);
        var before = CpuMemoryCache.Statistics;
        var (seconds, managedBytes, collections) = Median(step, sync, s);
        row[timeKey] = Math.Round(seconds * 1000, 1);
        row[$"{prefix}_managed_kb_per_step"] = Math.Round(managedBytes / 1024.0, 1);
        row[$"{prefix}_gc_collections"] = collections;
        row[$"{prefix}_images_per_s"] = Math.Round(s.Batch / seconds, 2);
        row[$"{prefix}_peak_rss_mb"] = Math.Round(PeakMemory.ResidentMegabytes(), 1);
        row[$"{prefix}_cpu_cache_hit_rate"] = HitRate(before, CpuMemoryCache.Statistics);
        if (cuda) row[$"{prefix}_cuda_peak_allocated_mb"] = Math.Round(CudaMemory.Statistics(s.Device).PeakAllocatedBytes / 1048576.0, 1);
    }

    /// <summary>
    /// The median seconds of the timed repeats (after warm-up), the managed bytes this thread allocated per repeat, and the
    /// garbage collections (all generations) during the repeats.
    /// </summary>
    private static (double Seconds, double ManagedBytesPerStep, int Collections) Median(Action step, Action sync, BenchSettings s)
    {
        for (int i = 0; i < s.Warmup; i++) step();
        sync();
        var times = new double[s.Repeats];
        long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        int collectionsBefore = GC.CollectionCount(0);
        for (int i = 0; i < s.Repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            step();
            sync();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        double managedPerStep = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)s.Repeats;
        int collections = GC.CollectionCount(0) - collectionsBefore;
        Array.Sort(times);
        return (BenchWorkload.MedianOfSorted(times), managedPerStep, collections);
    }

    private static List<JsonObject> RunPeer(Arguments a, string[] archs, BenchSettings s)
    {
        string script = a.String("--script") ?? FindScript();
        var info = new ProcessStartInfo(a.String("--python") ?? "/usr/bin/python3")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string arg in new[]
                 {
                     script, "--arch", string.Join(",", archs), "--batch", $"{s.Batch}", "--size", $"{s.Size}", "--classes", $"{s.Classes}",
                     "--warmup", $"{s.Warmup}", "--repeats", $"{s.Repeats}", "--threads", $"{LibTorch.Threads}",
                     "--device", s.Device.Type == DeviceType.Cuda ? "cuda" : "cpu", "--amp", s.Precision == "fp32" ? "none" : s.Precision,
                     "--phases", s.Phases switch { (true, true) => "train,infer", (true, false) => "train", _ => "infer" },
                 })
            info.ArgumentList.Add(arg);
        if (s.ChannelsLast) info.ArgumentList.Add("--channels-last");
        if (s.CudnnBenchmark) info.ArgumentList.Add("--cudnn-benchmark");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        var stderr = process.StandardError.ReadToEndAsync();
        var rows = new List<JsonObject>();
        while (process.StandardOutput.ReadLine() is { } line)
            if (line.StartsWith('{')) rows.Add(JsonNode.Parse(line)!.AsObject());
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"the PyTorch benchmark ({info.FileName} {script}) failed with exit code {process.ExitCode}: " +
                                                stderr.Result.Trim().Split('\n').LastOrDefault());
        return rows;
    }

    private static string FindScript()
    {
        foreach (string start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                string candidate = Path.Combine(folder.FullName, "build", "bench", "models.py");
                if (File.Exists(candidate)) return candidate;
            }
        throw new FileNotFoundException("build/bench/models.py not found: run from the repository or pass --script, or --no-peer");
    }

    private static double? HitRate(CpuMemoryCacheStatistics before, CpuMemoryCacheStatistics after)
    {
        long hits = after.Hits - before.Hits, total = hits + after.Misses - before.Misses;
        return total == 0 ? null : Math.Round((double)hits / total, 3);
    }

    private static string F(JsonObject row, string key) => row[key]?.GetValue<double>().ToString("F2", CultureInfo.InvariantCulture) ?? "-";

    private static string Ratio(JsonObject ours, JsonObject? theirs, string key) =>
        theirs?[key] is { } t && ours[key] is { } o ? (o.GetValue<double>() / t.GetValue<double>()).ToString("F2", CultureInfo.InvariantCulture) : "-";
}

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
