using System.Text.Json.Nodes;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Samples.Cli;
using Spectre.Console;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg bench`: times a full training step (forward, cross-entropy, backward, Adam) and batched inference of U-Net,
/// SegNet, FCN-8s and DeepLab v3+ (ResNet-50), after warm-up, median of repeats, with peak RSS; after each network it
/// runs the peers on the same network with the same settings: PyTorch (build/bench/models.py), plain TorchSharp
/// (build/bench/torchsharp-peer) and, with --old-mlseg, the previous engine's CLI. It prints all of them side by side
/// with the ratios ours/peer. Without torch or torchvision in the Python, the PyTorch peer is left out with one line
/// saying how to add it.
/// </summary>
public sealed class BenchCommand : ICommand
{

    /// <inheritdoc />
    public string Name => "bench";

    /// <inheritdoc />
    public string Summary => "training-step and inference speed and peak memory, side by side with PyTorch and plain TorchSharp";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommonOptions.BenchArchitectures,
        CommandOption.Valued("--batch", "B", "images per batch [8]"),
        CommandOption.Valued("--size", "S", "image side in pixels (32..4096) [256]"),
        CommonOptions.Classes(21),
        CommandOption.Valued("--warmup", "N", "untimed runs first [2]"),
        CommandOption.Valued("--repeats", "N", "timed runs; the median is reported [5]"),
        CommandOption.Valued("--phases", "train,infer", "what to time [both]"),
        CommandOption.Valued("--device", "cpu|cuda", "where to run [cpu]"),
        CommonOptions.Precision,
        CommandOption.Flag("--cudnn-benchmark", "torch.backends.cudnn.benchmark on both sides"),
        CommandOption.Valued("--python", "PATH", "the Python with torch for the PyTorch peer [/usr/bin/python3]"),
        CommandOption.Valued("--script", "PATH", "the PyTorch peer's script [build/bench/models.py]"),
        CommandOption.Valued("--old-mlseg", "PATH", "also run this older mlseg's bench, network by network"),
        CommandOption.Flag("--no-peer", "ours only"),
        CommandOption.Flag("--no-fold-batchnorm", "ours: infer without BatchNorm folded into the convolutions (for A/B)"),
        CommandOption.Flag("--keep-gradients", "ours: zero the gradients between steps instead of dropping them (for A/B)"),
        CommandOption.Flag("--json", "print JSON lines instead of a table"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        var archs = BenchWorkload.ParseArchitectures(a);
        string precision = a.Choice("--precision", "fp32", "fp32", "bf16", "fp16");
        var phases = ParsePhases(a);
        int batch = a.Int("--batch", 8, 1, 1024), size = a.Int("--size", 256, 32, 4096), classes = a.Int("--classes", 21, 2, 256);
        int warmup = a.Int("--warmup", 2, 0, 100), repeats = a.Int("--repeats", 5, 1, 1000);
        bool cuda = a.Choice("--device", "cpu", "cpu", "cuda") == "cuda";
        if (precision == "fp16" && !cuda) throw a.Usage("--precision fp16 needs --device cuda");
        var settings = new BenchSettings(batch, size, classes, warmup, repeats, BenchWorkload.ParseDevice(a), precision, phases, a.Has("--cudnn-benchmark"),
            FoldBatchNorm: !a.Has("--no-fold-batchnorm"), GradientsToNone: !a.Has("--keep-gradients"));
        if (settings.CudnnBenchmark) CudnnSettings.Benchmark = true;
        string? oldMlseg = a.String("--old-mlseg");
        if (oldMlseg is not null && !File.Exists(oldMlseg)) throw new FileNotFoundException($"--old-mlseg {oldMlseg}: no such file", oldMlseg);

        // Which peers run, decided and said before the first measurement (one line each, never wrapped; on stderr with
        // --json, whose output is JSON lines only).
        var notes = new List<string>();
        string python = a.String("--python") ?? "/usr/bin/python3";
        string? script = null, peerDll = null;
        if (!a.Has("--no-peer"))
        {
            if (BenchPeers.HasPyTorch(python)) script = a.String("--script") ?? BenchPeers.FindScript();
            else notes.Add(BenchPeers.MissingPyTorchNote(python));
            if (cuda || precision != "fp32") notes.Add("TorchSharp peer skipped: it runs on the CPU in float32 only");
            else peerDll = BenchPeers.TorchSharpPeerDll();
        }
        bool json = a.Has("--json");
        void Note(string note) => (json ? Console.Error : output).WriteLine($"mlseg bench: {note}");
        notes.ForEach(Note);

        // Ours and the peers alternate network by network, so that a machine slowing down (or speeding up) during the run
        // weighs on both sides of each ratio alike rather than on whichever side runs last. A peer that fails on a network
        // (a crash in its libtorch, say) costs that row only, with a line saying so.
        var rows = new List<JsonObject>();
        void Peer(Func<IEnumerable<JsonObject>> run)
        {
            try
            {
                rows.AddRange(run());
            }
            catch (BenchPeerFailure e)
            {
                Note($"{e.Message}; its row is left out");
            }
        }
        foreach (string arch in archs)
        {
            rows.Add(Measure(arch, settings));
            if (script is not null) Peer(() => BenchPeers.PyTorch(python, script, arch, settings));
            if (peerDll is not null) Peer(() => BenchPeers.TorchSharp(peerDll, arch, settings));
            if (oldMlseg is not null) Peer(() => BenchPeers.OldMlseg(oldMlseg, arch, settings).Where(IsOldEngineRow));
        }
        if (json)
        {
            foreach (var row in rows) output.WriteLine(row.ToJsonString());
            return Task.FromResult(0);
        }
        output.WriteLine($"mlseg bench: batch {batch}, {size}x{size}, {classes} classes, {Devices.Name(settings.Device)}, {precision}; " +
                      $"TorchSharp {TorchRuntime.TorchSharpVersion}, libtorch {TorchRuntime.LibTorchVersion}, {TorchRuntime.Threads} threads; " +
                      $"median of {repeats} after {warmup} warm-up");
        new Terminal(output).Console.Write(BenchTable.Build(rows));
        return Task.FromResult(0);
    }

    // The old mlseg prints its own row only with --no-peer; should it print peer rows anyway, only its "mlnet" rows count.
    private static bool IsOldEngineRow(JsonObject row) =>
        row["framework"]?.GetValue<string>().StartsWith("mlnet", StringComparison.OrdinalIgnoreCase) == true;

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
        using var workload = new BenchWorkload(arch, s.Batch, s.Size, s.Classes, s.Device, s.Precision) { GradientsToNone = s.GradientsToNone };
        var row = new JsonObject
        {
            ["framework"] = $"mlnet-segmentation (TorchSharp {TorchRuntime.TorchSharpVersion}, libtorch {TorchRuntime.LibTorchVersion})",
            ["peer"] = "ours", ["arch"] = arch, ["batch"] = s.Batch, ["size"] = s.Size, ["device"] = Devices.Name(s.Device),
            ["amp"] = s.Precision == "fp32" ? "none" : s.Precision, ["cudnn_benchmark"] = s.CudnnBenchmark,
            ["cpu_memory"] = CpuMemory.Mode.ToString(),
        };
        if (s.Phases.Train)
        {
            workload.Module.train();
            row["train_gradients_to_none"] = s.GradientsToNone;
            MeasurePhase(row, "train", "train_step_ms", workload.TrainStep, workload.Sync, s);
        }
        if (s.Phases.Infer)
        {
            row["infer_batchnorm_folded"] = workload.PrepareInference(s.FoldBatchNorm);
            MeasurePhase(row, "infer", "infer_ms", workload.Infer, workload.Sync, s);
        }
        return row;
    }

    /// <summary>
    /// Times one phase into <paramref name="row"/>: <paramref name="timeKey"/> (median ms), then images/s, peak RSS,
    /// managed bytes per step and garbage collections under <paramref name="prefix"/>. The peak is reset first, so that
    /// it is the phase's own (not the previous network's or phase's), after the memory glibc keeps is handed back.
    /// </summary>
    private static void MeasurePhase(JsonObject row, string prefix, string timeKey, Action step, Action sync, BenchSettings s)
    {
        CpuMemory.Release(); // what earlier networks and phases left in the heap is not this phase's
        PeakMemory.Reset();
        var (seconds, managedBytes, collections) = BenchTiming.Measure(step, sync, s.Warmup, s.Repeats);
        row[timeKey] = Math.Round(seconds * 1000, 1);
        row[$"{prefix}_managed_kb_per_step"] = Math.Round(managedBytes / 1024.0, 1);
        row[$"{prefix}_gc_collections"] = collections;
        row[$"{prefix}_images_per_s"] = Math.Round(s.Batch / seconds, 2);
        row[$"{prefix}_peak_rss_mb"] = Math.Round(PeakMemory.ResidentMegabytes(), 1);
    }
}
