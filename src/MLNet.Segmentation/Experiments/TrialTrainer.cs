using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Training;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// Trains the runs of one sweep with <see cref="SegmentationTrainer"/>: each trial in its own checkpoint folder, always
/// through the trainer's resume (a promotion, or a run a killed sweep left unfinished, continues from the checkpoint;
/// a new trial starts afresh), its learning-rate schedule spanning the sweep's epochs. A checkpoint in a trial's folder
/// can only be that trial's (the folder's settings are checked by <see cref="SweepFolder"/>), and training is
/// deterministic, so resuming from it gives what training through would. A failure is logged as the
/// trial's one-line error; the time budget ending a run logs the epochs it finished.
/// </summary>
internal sealed class TrialTrainer(ISegmentationDataset train, ISegmentationDataset validation, SweepOptions options, string outputDirectory, Device device)
{
    private readonly Normalize? _normalize = options.Mean is null ? null : new Normalize(options.Mean, options.Std!);
    private double[]? _classWeights;

    /// <summary>The folder of a trial's checkpoints: OUT/trials/0007.</summary>
    public static string TrialDirectory(string outputDirectory, int trial) => Path.Combine(outputDirectory, "trials", trial.ToString("D4", System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The seed of a trial's weights, shuffling and augmentation.</summary>
    public static ulong TrialSeed(int sweepSeed, int trial) => SeedMixer.Mix((ulong)sweepSeed, (ulong)trial, 0x7121a1) >> 1;

    /// <summary>Runs <paramref name="run"/>; <paramref name="budget"/> is the time budget's token (the user's cancels the sweep).</summary>
    public TrialLogEntry Train(TrialRun run, CancellationToken user, CancellationToken budget)
    {
        string directory = TrialDirectory(outputDirectory, run.Trial);
        string checkpoint = SegmentationTrainer.CheckpointPathIn(directory);
        var clock = Stopwatch.StartNew();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(user, budget);
        try
        {
            var result = Fit(run, directory, linked.Token);
            return Entry(run, run.StopAfterEpochs >= options.Epochs ? TrialStatus.Completed : TrialStatus.StoppedEarly, result.History, clock, null);
        }
        catch (OperationCanceledException) when (!user.IsCancellationRequested && budget.IsCancellationRequested)
        {
            return Entry(run, TrialStatus.Budget, CheckpointHistory(checkpoint), clock, null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return Entry(run, TrialStatus.Failed, CheckpointHistory(checkpoint), clock, OneLine(e));
        }
    }

    private TrainingResult Fit(TrialRun run, string directory, CancellationToken cancellation)
    {
        var p = run.Parameters;
        var description = train.Description;
        ulong seed = TrialSeed(options.Seed, run.Trial);
        long? lossIgnore = TrialComponents.LossIgnoreIndex(p, description);
        if (p.ClassWeights) _classWeights ??= description.ClassWeights?.Select(w => (double)w).ToArray() ?? ClassFrequencyWeights.Compute(train, cancellation);
        var steps = new List<IJointTransform>();
        if (TrialComponents.Augmentation(p, description) is { } augmentation) steps.Add(augmentation);
        if (_normalize is not null) steps.Add(_normalize);
        var trainLoader = new DataLoader(train, new DataLoaderOptions
        {
            BatchSize = Math.Min(p.BatchSize, train.Count), Shuffle = true, DropLast = true, Seed = seed, Workers = options.Workers,
            Transform = steps.Count == 0 ? null : new Compose([.. steps]),
        });
        var validationLoader = new DataLoader(validation, new DataLoaderOptions { BatchSize = 1, Shuffle = false, Workers = options.Workers, Transform = _normalize });

        random.manual_seed((long)seed);
        using var model = CreateModel(p, description);
        var loss = TrialComponents.Loss(p, lossIgnore, _classWeights);
        try
        {
            var trainer = new SegmentationTrainer(model, loss, new TrainerOptions
            {
                NumClasses = description.NumClasses, Epochs = options.Epochs, StopAfterEpochs = run.StopAfterEpochs, Optimizer = p.Optimizer,
                LearningRate = p.LearningRate, WeightDecay = p.WeightDecay, Schedule = options.Schedule, IgnoreIndex = description.IgnoreIndex,
                Device = device, Precision = options.Precision, Seed = seed, CheckpointDirectory = directory,
            });
            var progress = options.Progress is { } sink
                ? new EpochForwarder(e => sink.Report(new SweepProgress(SweepProgressKind.Epoch, run.Trial, run.Rung, p, run.StopAfterEpochs, e)))
                : null;
            // A promotion, or a run a killed sweep left unfinished, continues from its checkpoint; a new run starts afresh.
            bool resume = File.Exists(SegmentationTrainer.CheckpointPathIn(directory));
            return trainer.Fit(trainLoader, validationLoader, progress, resume, cancellation);
        }
        finally
        {
            TrialComponents.Dispose(loss);
        }
    }

    /// <summary>The trial's network with fresh weights from TorchSharp's global generator (seed it first).</summary>
    public static SegmentationModel CreateModel(TrialParameters p, DatasetDescription description)
    {
        var created = ModelCatalog.Create(p.CatalogName, new ModelBuildSettings(description.NumClasses, description.ImageChannels, p.WidthDivisor, p.OutputStride ?? 16));
        if (created is SegmentationModel model) return model;
        created.Dispose();
        throw new InvalidOperationException($"{p.CatalogName} is not a segmentation network");
    }

    private TrialLogEntry Entry(TrialRun run, TrialStatus status, IReadOnlyList<EpochRecord> history, Stopwatch clock, string? error)
    {
        // The trainer keeps the weights of the first epoch with the highest validation mIoU.
        var best = history.Where(h => h.ValidationMeanIoU is double m && !double.IsNaN(m)).OrderByDescending(h => h.ValidationMeanIoU).ThenBy(h => h.Epoch).FirstOrDefault();
        double? score = best is null ? null : options.Metric == SweepMetric.PixelAccuracy ? best.ValidationPixelAccuracy : best.ValidationMeanIoU;
        return new TrialLogEntry
        {
            Trial = run.Trial, Rung = run.Rung, Parameters = run.Parameters, Status = status, Epochs = history.Count, Score = score,
            MeanIoU = best?.ValidationMeanIoU, PixelAccuracy = best?.ValidationPixelAccuracy, BestEpoch = best?.Epoch,
            Seconds = clock.Elapsed.TotalSeconds, History = history, Error = error,
        };
    }

    // The epochs a stopped run finished, from its checkpoint's metadata (the tensors are not read).
    private static IReadOnlyList<EpochRecord> CheckpointHistory(string path)
    {
        if (!File.Exists(path)) return [];
        try
        {
            using var stream = File.OpenRead(path);
            var header = Weights.SafeTensorsHeader.Read(stream, stream.Length, Weights.SafeTensors.MaxHeaderBytes);
            return header.Metadata.TryGetValue("history", out var json) ? JsonSerializer.Deserialize<List<EpochRecord>>(json) ?? [] : [];
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException)
        {
            return [];
        }
    }

    /// <summary>An exception's message on one line (libtorch's without its C++ backtrace).</summary>
    internal static string OneLine(Exception e)
    {
        string message = e.Message;
        if (e is ExternalException)
        {
            int end = message.IndexOfAny(['\r', '\n']);
            if (end >= 0) message = message[..end];
        }
        return string.Join(" ", message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private sealed class EpochForwarder(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value)
        {
            if (value.Kind == ProgressKind.EpochEnd) report(value);
        }
    }
}
