using System.Diagnostics;
using System.Text;
using System.Text.Json;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.IO;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Reports;
using MLNet.Segmentation.Training;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// A hyperparameter sweep on datasets (no ML.NET needed; <c>mlContext.Segmentation().Experiment</c> runs one on
/// IDataViews): trials chosen by random search, grid search or successive halving (<see cref="SearchStrategy"/>) from a
/// <see cref="SegmentationSearchSpace"/>, trained one after another with <see cref="SegmentationTrainer"/> and ranked by
/// validation mIoU (or pixel accuracy) until the <see cref="SweepBudget"/> ends. Seeded: trial t's parameters, weights,
/// shuffling and augmentation derive from (seed, t) alone, so a sweep with the same seed runs the same trials, and on
/// the CPU gets the same results.
/// </summary>
/// <remarks>
/// Every finished run is appended to the trial log (trials.jsonl in <see cref="SweepOptions.OutputDirectory"/>) before
/// the next starts. A sweep that was cancelled or killed, rerun on the same folder with the same settings, reads the
/// log, skips what is finished, continues an unfinished run from its checkpoint, and ends with the log an
/// uninterrupted sweep writes. At the end the best trial's network is saved as best.mlseg.zip, the results as
/// sweep.json and the report as sweep.html. Trials run one at a time: see <see cref="SweepOptions"/> for concurrency.
/// </remarks>
public sealed class SegmentationSweep
{
    private readonly ISegmentationDataset _train, _validation;
    private List<TrialParameters>? _grid;
    private IEnumerator<TrialParameters>? _gridSource;

    /// <summary>A sweep training on <paramref name="train"/> and ranking trials on <paramref name="validation"/>.</summary>
    public SegmentationSweep(ISegmentationDataset train, ISegmentationDataset validation, SweepOptions options)
    {
        _train = train ?? throw new ArgumentNullException(nameof(train));
        _validation = validation ?? throw new ArgumentNullException(nameof(validation), "a sweep ranks trials on validation data");
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (train.Count < 1) throw new ArgumentException("the training data is empty", nameof(train));
        if (validation.Count < 1) throw new ArgumentException("the validation data is empty", nameof(validation));
        if (validation.Description.NumClasses != train.Description.NumClasses)
            throw new ArgumentException($"the training data has {train.Description.NumClasses} classes but the validation data {validation.Description.NumClasses}");
    }

    /// <summary>The options.</summary>
    public SweepOptions Options { get; }

    /// <summary>The parameters of trial <paramref name="trial"/> (1, 2, ...) under random search and successive halving.</summary>
    public static TrialParameters SampleTrial(SegmentationSearchSpace space, int seed, int trial)
    {
        ArgumentNullException.ThrowIfNull(space);
        ArgumentOutOfRangeException.ThrowIfLessThan(trial, 1);
        return space.Sample(new Random(SeedMixer.ToInt32(SeedMixer.Mix((ulong)seed, (ulong)trial, 0x5a3))));
    }

    /// <summary>Runs (or continues) the sweep; <paramref name="cancellationToken"/> stops it after the current training step, keeping the log.</summary>
    public SweepResult Run(CancellationToken cancellationToken = default)
    {
        Options.Validate();
        TorchRuntime.EnsureInitialized();
        var device = Options.Device ?? (TorchRuntime.CudaIsAvailable ? new Device(TorchSharp.DeviceType.CUDA, 0) : CPU);
        var folder = new SweepFolder(Options.OutputDirectory!);
        folder.Claim(Options, _train, _validation);
        var log = TrialLog.Open(folder.LogPath);
        var trainer = new TrialTrainer(_train, _validation, Options, folder.Directory, device);
        var rungs = Options.Strategy == SearchStrategy.SuccessiveHalving ? SuccessiveHalving.Rungs(Options.MinEpochs, Options.Epochs, Options.Eta) : [Options.Epochs];
        var budget = Options.Budget;
        double spentBefore = log.Entries.Sum(e => e.Seconds);
        var clock = Stopwatch.StartNew();
        string stopReason;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (run, reason) = NextRun(log.Entries, rungs);
            if (run is null)
            {
                stopReason = reason;
                break;
            }
            var remaining = budget.Time - TimeSpan.FromSeconds(spentBefore + clock.Elapsed.TotalSeconds);
            if (remaining <= TimeSpan.Zero)
            {
                stopReason = $"time budget ({new SweepBudget { Time = budget.Time }})";
                break;
            }
            int trained = log.Entries.GroupBy(e => e.Trial).Sum(g => g.Last().Epochs);
            int already = log.Entries.LastOrDefault(e => e.Trial == run.Trial)?.Epochs ?? 0;
            if (budget.Epochs is int epochBudget && trained + run.StopAfterEpochs - already > epochBudget)
            {
                stopReason = $"epoch budget ({epochBudget} epochs)";
                break;
            }
            Options.Progress?.Report(new SweepProgress(SweepProgressKind.RunStarted, run.Trial, run.Rung, run.Parameters, run.StopAfterEpochs));
            using var timeBudget = remaining is { } r ? new CancellationTokenSource(r) : new CancellationTokenSource();
            var entry = trainer.Train(run, cancellationToken, timeBudget.Token);
            log.Append(entry);
            if (entry.Status != TrialStatus.StoppedEarly) DeleteCheckpoint(folder, entry.Trial);
            Options.Progress?.Report(new SweepProgress(SweepProgressKind.RunFinished, run.Trial, run.Rung, run.Parameters, run.StopAfterEpochs, Entry: entry));
            if (entry.Status == TrialStatus.Budget)
            {
                stopReason = $"time budget ({new SweepBudget { Time = budget.Time }})";
                break;
            }
        }
        foreach (int trial in log.Entries.Select(e => e.Trial).Distinct()) DeleteCheckpoint(folder, trial);
        return Finish(folder, log, stopReason);
    }

    private (TrialRun? Run, string Reason) NextRun(IReadOnlyList<TrialLogEntry> entries, IReadOnlyList<int> rungs)
    {
        int trials = entries.Select(e => e.Trial).Distinct().Count();
        bool mayStart = Options.Budget.Trials is not int limit || trials < limit;
        string trialBudget = $"trial budget ({Options.Budget.Trials} trials)";
        switch (Options.Strategy)
        {
            case SearchStrategy.Grid:
                if (!mayStart) return (null, trialBudget);
                return GridAt(trials) is { } point
                    ? (new TrialRun(trials + 1, null, point, Options.Epochs), "")
                    : (null, $"grid done ({trials} trials)");
            case SearchStrategy.Random:
                if (!mayStart) return (null, trialBudget);
                return (new TrialRun(trials + 1, null, SampleTrial(Options.SearchSpace, Options.Seed, trials + 1), Options.Epochs), "");
        }
        var finished = rungs.Select((_, k) => (IReadOnlyList<RungScore>)entries
            .Where(e => e.Rung == k && e.Status is TrialStatus.Completed or TrialStatus.StoppedEarly)
            .Select(e => new RungScore(e.Trial, e.Score ?? double.NaN)).ToArray()).ToArray();
        var started = rungs.Select((_, k) => (IReadOnlySet<int>)entries.Where(e => e.Rung == k).Select(e => e.Trial).ToHashSet()).ToArray();
        if (SuccessiveHalving.NextPromotion(finished, started, Options.Eta) is var (trial, rung))
            return (new TrialRun(trial, rung, entries.First(e => e.Trial == trial).Parameters, rungs[rung]), "");
        if (!mayStart) return (null, $"{trialBudget}, no promotion left");
        return (new TrialRun(trials + 1, 0, SampleTrial(Options.SearchSpace, Options.Seed, trials + 1), rungs[0]), "");
    }

    // The grid is listed lazily: a large one is only enumerated as far as the budget reaches.
    private TrialParameters? GridAt(int index)
    {
        _grid ??= [];
        _gridSource ??= Options.SearchSpace.Grid().GetEnumerator();
        while (_grid.Count <= index && _gridSource.MoveNext()) _grid.Add(_gridSource.Current);
        return index < _grid.Count ? _grid[index] : null;
    }

    private static void DeleteCheckpoint(SweepFolder folder, int trial)
    {
        string path = SegmentationTrainer.CheckpointPathIn(TrialTrainer.TrialDirectory(folder.Directory, trial));
        if (File.Exists(path)) File.Delete(path);
    }

    private SweepResult Finish(SweepFolder folder, TrialLog log, string stopReason)
    {
        var trials = TrialResult.FromLog(log.Entries);
        var best = trials.Where(t => t.Score is double s && !double.IsNaN(s)).OrderByDescending(t => t.Score).ThenBy(t => t.Trial).FirstOrDefault();
        string? modelPath = best is not null && SaveBestModel(folder, best) ? folder.BestModelPath : null;
        var result = new SweepResult
        {
            Strategy = Options.Strategy, Seed = Options.Seed, Metric = Options.Metric, Budget = Options.Budget, StopReason = stopReason,
            BestTrial = best?.Trial, Trials = trials, OutputDirectory = folder.Directory, LogPath = folder.LogPath, BestModelPath = modelPath,
            JsonPath = folder.JsonPath, ReportPath = folder.ReportPath,
        };
        AtomicFile.Write(folder.JsonPath, Encoding.UTF8.GetBytes(JsonSerializer.Serialize(result, SweepJson.Indented)));
        AtomicFile.Write(folder.ReportPath, Encoding.UTF8.GetBytes(SweepReport.Render(result, Options.ReportNotes)));
        return result;
    }

    // The best trial's kept weights (best.safetensors of its folder) in its network, saved as a model file.
    private bool SaveBestModel(SweepFolder folder, TrialResult best)
    {
        string weights = Path.Combine(TrialTrainer.TrialDirectory(folder.Directory, best.Trial), "best.safetensors");
        if (!File.Exists(weights)) return false;
        var description = _train.Description;
        using var model = TrialTrainer.CreateModel(best.Parameters, description);
        using (var state = Weights.SafeTensors.Load(weights)) model.Load(state);
        int crop = best.Parameters.CropSize;
        SegmentationModelFile.Save(folder.BestModelPath, model, new ModelManifest
        {
            Architecture = "", Options = default, NumClasses = description.NumClasses, InChannels = description.ImageChannels,
            ClassNames = description.ClassNames, ClassColors = description.Colors.Select(MaskVisualizer.Hex).ToArray(),
            IgnoreIndex = description.IgnoreIndex, BackgroundClass = description.BackgroundClass, Mean = Options.Mean, Std = Options.Std,
            TileSize = crop > 0 ? [crop, crop] : null,
        });
        return true;
    }
}
