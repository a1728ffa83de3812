using System.Globalization;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Experiments;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg sweep --data DIR --layout L --budget 30m|20trials [--strategy random|grid|asha] [--metric miou] [--seed N] [--out DIR]`
/// (or `--synthetic` for generated shapes): a hyperparameter sweep; prints the trial table and writes the trial log,
/// the best model, sweep.json and sweep.html. Ctrl+C stops it; the same command continues it.
/// </summary>
public sealed class SweepCommand : ICommand
{
    private static readonly string[] OutputFiles = ["experiment.json", "space.json", "trials.jsonl", "best.mlseg.zip", "sweep.json", "sweep.html"];

    /// <inheritdoc />
    public string Name => "sweep";

    /// <inheritdoc />
    public string Summary => "search architectures, losses and training settings (random, grid or ASHA); resumable";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        .. DataArguments.Options,
        CommandOption.Flag("--synthetic", "sweep on generated shapes (--train, --val, --size) instead of --data"),
        CommandOption.Valued("--train", "N", "generated training images, with --synthetic [48]"),
        CommandOption.Valued("--val", "N", "generated validation images, with --synthetic [16]"),
        CommandOption.Valued("--size", "S", "generated image side in pixels, with --synthetic [48]"),
        CommandOption.Valued("--budget", "B", "when to stop: a time (30m, 2h, 1h30m), trials (20trials), epochs (100epochs), or a mix (30m,20trials)") with { Required = true },
        CommandOption.Valued("--strategy", "random|grid|asha", "how trials are chosen [asha: successive halving]"),
        CommandOption.Valued("--metric", "miou|pixel-accuracy", "validation metric trials are ranked by [miou]"),
        CommandOption.Valued("--seed", "N", "seed of the trials' parameters, weights and augmentation [42]"),
        CommandOption.Valued("--out", "DIR", "output folder; rerun with the same one to continue a sweep [./mlseg-sweep]"),
        CommandOption.Valued("--epochs", "N", "epochs per trial (ASHA: of the last rung) [10]"),
        CommandOption.Valued("--min-epochs", "N", "ASHA: epochs of the first rung [1]"),
        CommandOption.Valued("--eta", "N", "ASHA: 1/N of a rung's trials go on to the next [3]"),
        CommandOption.Valued("--space", "FILE", "search space JSON [the default; every sweep writes its own to --out/space.json]"),
        CommandOption.Valued("--fix", "NAME=VALUE,...", "fix dimensions, e.g. architecture=unet,widthDivisor=8 (a|b keeps several values)"),
        CommandOption.Valued("--normalize", "auto|none|imagenet", "input normalization [auto: ImageNet statistics for RGB]"),
        CommonOptions.Precision,
        CommonOptions.Device,
        CommandOption.Valued("--workers", "N", "data-loading threads (0 = on the training thread) [1]"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        SweepBudget budget;
        try
        {
            budget = SweepBudget.Parse(a.Required("--budget"));
        }
        catch (FormatException e)
        {
            throw a.Usage($"--budget: {e.Message}");
        }
        var strategy = a.Choice("--strategy", "asha", "random", "grid", "asha") switch
        {
            "random" => SearchStrategy.Random,
            "grid" => SearchStrategy.Grid,
            _ => SearchStrategy.SuccessiveHalving,
        };
        var metric = a.Choice("--metric", "miou", "miou", "pixel-accuracy") == "miou" ? SweepMetric.MeanIoU : SweepMetric.PixelAccuracy;
        int seed = a.Int("--seed", 42, 0);
        int epochs = a.Int("--epochs", 10, 1, 100_000);
        int minEpochs = a.Int("--min-epochs", 1, 1, epochs);
        int eta = a.Int("--eta", 3, 2, 100);
        var space = Space(a);
        var precision = a.Choice("--precision", "fp32", "fp32", "bf16", "fp16") switch
        {
            "bf16" => TrainingPrecision.BFloat16,
            "fp16" => TrainingPrecision.Float16,
            _ => TrainingPrecision.Float32,
        };
        var device = DeviceArgument.Parse(a);
        var (train, validation) = Data(a);
        var description = train.Description;
        var normalize = NormalizeArgument.Parse(a, description);
        string outDir = OutputFolder.Prepare("--out", a.String("--out") ?? "mlseg-sweep", OutputFiles, ["trials"]);
        var terminal = new Terminal(output);
        var options = new SweepOptions
        {
            SearchSpace = space, Strategy = strategy, Budget = budget, Seed = seed, Metric = metric, Epochs = epochs, MinEpochs = minEpochs, Eta = eta,
            OutputDirectory = outDir, Device = device, Precision = precision, Mean = normalize?.Mean.ToArray(), Std = normalize?.Std.ToArray(),
            Workers = a.Int("--workers", 1, 0, 64),
            ReportNotes = $"Generated by `mlseg sweep {a.CommandLineText}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.",
            Progress = new Lines(terminal),
        };
        string plan = strategy switch
        {
            SearchStrategy.SuccessiveHalving => $"ASHA, rungs at {string.Join(", ", SuccessiveHalving.Rungs(minEpochs, epochs, eta))} epochs, eta {eta}",
            SearchStrategy.Grid => $"grid of {space.GridSize()} trials, {epochs} epochs each",
            _ => $"random search, {epochs} epochs per trial",
        };
        terminal.Line($"mlseg sweep: {train.Count} training and {validation.Count} validation images ({description.Name}, {description.NumClasses} classes); " +
                      $"{plan}; budget {budget}; seed {seed}; libtorch {TorchRuntime.LibTorchVersion}, {TorchRuntime.Threads} threads");

        SweepResult result;
        try
        {
            result = new SegmentationSweep(train, validation, options).Run(cancellation);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            int logged = TrialLog.Read(Path.Combine(outDir, "trials.jsonl")).Count;
            terminal.Line($"sweep stopped: {logged} runs are in {Path.Combine(outDir, "trials.jsonl")}; run the same command again to continue");
            throw;
        }
        terminal.Console.Write(SweepTable.Build(result));
        terminal.Line($"stopped by {result.StopReason}");
        if (result.Best is { } best)
            terminal.Line($"best: trial {best.Trial}, {SweepReport.MetricName(metric)} {best.Score:F4} ({best.Parameters.Describe()})");
        terminal.Line($"trial log:    {result.LogPath}");
        if (result.BestModelPath is not null) terminal.Line($"best model:   {result.BestModelPath}");
        terminal.Line($"results:      {result.JsonPath}");
        terminal.Line($"report:       {result.ReportPath}");
        return Task.FromResult(0);
    }

    private static SegmentationSearchSpace Space(Arguments a)
    {
        SegmentationSearchSpace space;
        if (a.String("--space") is { } file)
        {
            if (!File.Exists(file)) throw new FileNotFoundException($"--space {file}: file not found", file);
            try
            {
                space = SegmentationSearchSpace.FromJson(File.ReadAllText(file));
            }
            catch (Exception e) when (e is InvalidDataException or ArgumentException)
            {
                throw new InvalidDataException($"--space {file}: {e.Message}", e);
            }
        }
        else space = new SegmentationSearchSpace();
        if (a.String("--fix") is { } fixes)
        {
            foreach (string pair in fixes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = pair.IndexOf('=');
                if (equals <= 0 || equals == pair.Length - 1) throw a.Usage($"--fix takes NAME=VALUE pairs, got '{pair}'");
                try
                {
                    space.Restrict(pair[..equals], pair[(equals + 1)..]);
                }
                catch (ArgumentException e)
                {
                    throw a.Usage($"--fix {pair}: {e.Message}");
                }
            }
        }
        try
        {
            space.Validate();
        }
        catch (ArgumentException e)
        {
            throw a.Usage(e.Message);
        }
        return space;
    }

    private static (ISegmentationDataset Train, ISegmentationDataset Validation) Data(Arguments a)
    {
        if (a.Has("--synthetic"))
        {
            foreach (string option in new[] { "--data", "--layout" })
                if (a.Has(option)) throw a.Usage($"--synthetic generates its data; drop {option}");
            int size = a.Int("--size", 48, 16, 4096);
            // The data does not depend on --seed: sweeps of different seeds see the same images.
            return (new SyntheticShapesDataset(a.Int("--train", 48, 1, 1_000_000), size, size, seed: 7),
                new SyntheticShapesDataset(a.Int("--val", 16, 1, 1_000_000), size, size, seed: 1007));
        }
        foreach (string option in new[] { "--train", "--val", "--size" })
            if (a.Has(option)) throw a.Usage($"{option} goes with --synthetic");
        var data = DataArguments.Read(a);
        if (data.Validation is null) throw a.Usage("a sweep ranks trials on validation data: give a val split or --val-fraction F");
        return (data.Train, data.Validation);
    }

    // One line when a run starts, one per epoch, one when it ends.
    private sealed class Lines(Terminal terminal) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress p)
        {
            string where = p.Rung is int rung ? $"trial {p.Trial} rung {rung}" : $"trial {p.Trial}";
            switch (p.Kind)
            {
                case SweepProgressKind.RunStarted:
                    terminal.Line($"{where}: {p.Parameters.Describe()}, to epoch {p.TargetEpochs}");
                    break;
                case SweepProgressKind.Epoch when p.Training is { } t:
                    terminal.Line("  " + TrainingProgressDisplay.EpochLine(t));
                    break;
                case SweepProgressKind.RunFinished when p.Entry is { } e:
                    string score = e.Score is double s ? s.ToString("F4", CultureInfo.InvariantCulture) : "-";
                    terminal.Line($"{where}: {SweepReport.StatusText(e.Status)}, score {score} after {e.Epochs} epochs, " +
                                  $"{e.Seconds.ToString("F1", CultureInfo.InvariantCulture)} s{(e.Error is null ? "" : $": {e.Error}")}");
                    break;
            }
        }
    }
}
