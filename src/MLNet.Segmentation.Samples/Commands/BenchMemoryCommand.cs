using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Samples.Cli;
using Spectre.Console;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg bench-memory`: runs many full training steps (or inference passes) of the bench networks and samples the
/// resident memory, to show it does not grow: RSS after warm-up, at the end, the largest sample, and the least-squares
/// slope over the samples after warm-up (MB per 1,000 steps); beside it TorchSharp's count of live managed tensors
/// (<see cref="Tensor.TotalCount"/> after a full collection: reachable tensors), which stays flat when every step
/// disposes what it made. --width-divisor narrows every layer (same layers and code paths, fewer channels) so that
/// 10,000 steps of all four networks fit in an hour on two cores.
/// </summary>
public sealed class BenchMemoryCommand : ICommand
{

    /// <inheritdoc />
    public string Name => "bench-memory";

    /// <inheritdoc />
    public string Summary => "resident memory over many training steps (default 10,000): growth and slope per network";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommonOptions.BenchArchitectures,
        CommandOption.Valued("--steps", "N", "steps per network [10000]"),
        CommandOption.Valued("--warmup", "N", "steps before the baseline sample [500]"),
        CommandOption.Valued("--every", "N", "sample memory every N steps [250]"),
        CommandOption.Valued("--phase", "train|infer", "what each step does [train]"),
        CommandOption.Valued("--batch", "B", "images per step [1]"),
        CommandOption.Valued("--size", "S", "image side in pixels [64]"),
        CommonOptions.Classes(21),
        CommandOption.Valued("--width-divisor", "D", "divide every layer's width by D (1..64) [1]"),
        CommandOption.Valued("--device", "cpu|cuda", "where to run [cpu]"),
        CommandOption.Flag("--json", "print JSON lines instead of a table"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        var archs = BenchWorkload.ParseArchitectures(a);
        int steps = a.Int("--steps", 10_000, 1, 10_000_000), warmup = a.Int("--warmup", 500, 0, 10_000_000), every = a.Int("--every", 250, 1, 10_000_000);
        if (warmup >= steps) throw a.Usage("--warmup must be below --steps");
        bool train = a.Choice("--phase", "train", "train", "infer") == "train";
        var device = BenchWorkload.ParseDevice(a);
        int batch = a.Int("--batch", 1, 1, 1024), size = a.Int("--size", 64, 32, 4096), classes = a.Int("--classes", 21, 2, 256);
        int widthDivisor = a.Int("--width-divisor", 1, 1, 64);

        var rows = new List<JsonObject>();
        foreach (string arch in archs)
        {
            var row = Soak(arch, train, steps, warmup, every, batch, size, classes, widthDivisor, device);
            rows.Add(row);
            if (a.Has("--json")) output.WriteLine(row.ToJsonString());
        }
        if (a.Has("--json")) return Task.FromResult(0);

        var table = new Table().Border(TableBorder.Rounded).AddColumn("network").AddColumn("steps")
            .AddColumn(new TableColumn("RSS after warm-up MB").RightAligned()).AddColumn(new TableColumn("RSS at end MB").RightAligned())
            .AddColumn(new TableColumn("largest sample MB").RightAligned()).AddColumn(new TableColumn("slope MB/1k steps").RightAligned())
            .AddColumn(new TableColumn("live tensors after warm-up").RightAligned()).AddColumn(new TableColumn("live tensors at end").RightAligned())
            .AddColumn(new TableColumn("seconds").RightAligned());
        foreach (var row in rows)
            table.AddRow(row["arch"]!.GetValue<string>(), $"{row["steps"]}", $"{row["rss_after_warmup_mb"]}", $"{row["rss_end_mb"]}",
                $"{row["rss_max_after_warmup_mb"]}", $"{row["slope_mb_per_1000_steps"]}", $"{row["live_tensors_after_warmup"]}",
                $"{row["live_tensors_end"]}", $"{row["seconds"]}");
        new Terminal(output).Console.Write(table);
        return Task.FromResult(0);
    }

    private static JsonObject Soak(string arch, bool train, int steps, int warmup, int every, int batch, int size, int classes, int widthDivisor, Device device)
    {
        using var workload = new BenchWorkload(arch, batch, size, classes, device, "fp32", widthDivisor);
        Action step = train ? workload.TrainStep : workload.Infer;
        if (train) workload.Module.train(); else workload.PrepareInference(foldBatchNorm: true);
        var samples = new List<(int Step, double Megabytes)>();
        var tensors = new List<long>();
        double afterWarmup = double.NaN;
        var clock = Stopwatch.StartNew();
        for (int i = 1; i <= steps; i++)
        {
            step();
            if (i == warmup || (i > warmup && (i - warmup) % every == 0) || i == steps)
            {
                workload.Sync();
                double rss = PeakMemory.CurrentMegabytes();
                if (i == warmup || warmup == 0 && samples.Count == 0) afterWarmup = rss;
                samples.Add((i, rss));
                tensors.Add(LiveTensors());
            }
        }
        double seconds = clock.Elapsed.TotalSeconds;
        double end = samples[^1].Megabytes;
        var row = new JsonObject
        {
            ["arch"] = arch, ["phase"] = train ? "train" : "infer", ["steps"] = steps, ["warmup"] = warmup, ["batch"] = batch, ["size"] = size, ["width_divisor"] = widthDivisor,
            ["device"] = Devices.Name(device), ["rss_after_warmup_mb"] = Round(afterWarmup), ["rss_end_mb"] = Round(end),
            ["rss_max_after_warmup_mb"] = Round(samples.Max(s => s.Megabytes)), ["growth_mb"] = Round(end - afterWarmup),
            ["slope_mb_per_1000_steps"] = Round(1000 * Slope(samples)), ["samples"] = samples.Count,
            // Live managed tensors from the first sample (after the warm-up) to the last, and the most in between.
            ["live_tensors_after_warmup"] = tensors[0], ["live_tensors_end"] = tensors[^1], ["live_tensors_max"] = tensors.Max(),
            ["live_tensor_growth"] = tensors[^1] - tensors[0], ["seconds"] = Round(seconds),
        };
        return row;
    }

    /// <summary>
    /// TorchSharp's count of tensors created and not disposed, after a full collection has finalized the unreachable
    /// ones (e.g. temporaries of the network's construction), so that the count is of reachable tensors only.
    /// </summary>
    private static long LiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }

    /// <summary>Least-squares slope of RSS over step number, in MB per step.</summary>
    internal static double Slope(IReadOnlyList<(int Step, double Megabytes)> samples)
    {
        if (samples.Count < 2) return 0;
        double meanX = samples.Average(s => s.Step), meanY = samples.Average(s => s.Megabytes);
        double covariance = samples.Sum(s => (s.Step - meanX) * (s.Megabytes - meanY));
        double variance = samples.Sum(s => (s.Step - meanX) * (s.Step - meanX));
        return covariance / variance;
    }

    private static double Round(double value) => Math.Round(value, 1, MidpointRounding.AwayFromZero);
}
