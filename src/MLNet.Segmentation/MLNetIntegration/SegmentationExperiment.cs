using Microsoft.ML;
using Microsoft.ML.Runtime;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Experiments;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// A hyperparameter sweep on IDataViews, ML.NET's AutoML experiments in miniature: <c>mlContext.Segmentation()
/// .Experiment(train, validation, options).Run()</c> reads and checks the rows once, runs a <see cref="SegmentationSweep"/>
/// on them (random search, grid search or successive halving within a budget, resumable from its output folder) and
/// returns every trial with the best one's fitted transformer. Progress goes to <see cref="SweepOptions.Progress"/> and
/// to the MLContext's log.
/// </summary>
public sealed class SegmentationExperiment
{
    private readonly IHostEnvironment _environment;
    private readonly IDataView _train, _validation;

    internal SegmentationExperiment(MLContext context, IDataView trainData, IDataView validationData, SegmentationExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        _environment = context;
        Context = context;
        _train = trainData ?? throw new ArgumentNullException(nameof(trainData));
        _validation = validationData ?? throw new ArgumentNullException(nameof(validationData), "an experiment ranks its trials on validation data");
        Options = options ?? throw new ArgumentNullException(nameof(options));
        ArgumentNullException.ThrowIfNull(options.Sweep, nameof(options.Sweep));
        options.Sweep.Validate();
        // The trainer's checks of the options and columns, before anything is read.
        var reader = Reader();
        reader.CheckColumns(trainData, "training data");
        reader.CheckColumns(validationData, "validation data");
    }

    /// <summary>The context.</summary>
    public MLContext Context { get; }

    /// <summary>The options.</summary>
    public SegmentationExperimentOptions Options { get; }

    private SegmentationEstimator Reader() => new(Context, "unet", Options.TrainerOptions());

    /// <summary>
    /// Runs (or continues) the sweep and returns its trials and the best trial's transformer. Cancelling stops it after
    /// the current training step with <see cref="OperationCanceledException"/>; running it again continues.
    /// </summary>
    public SegmentationExperimentResult Run(CancellationToken cancellationToken = default)
    {
        var host = _environment.Register("Segmentation.Experiment");
        var reader = Reader();
        var train = reader.ReadDataset(_train, "training data");
        try
        {
            var validation = reader.ReadDataset(_validation, "validation data");
            try
            {
                var options = Options.Sweep.Clone();
                options.Device ??= Devices.FromMLContext(Context.GpuDeviceId, Context.FallbackToCpu);
                using var channel = host.Start("Sweep");
                var user = options.Progress;
                options.Progress = new Progress(channel, user);
                var sweep = new SegmentationSweep(train, validation, options).Run(cancellationToken);
                if (sweep.Best is null)
                    throw new InvalidOperationException("no trial of the experiment finished an epoch" +
                        (sweep.Trials.FirstOrDefault(t => t.Error is not null) is { } failed ? $"; trial {failed.Trial} failed: {failed.Error}" : ""));
                var loaded = sweep.LoadBestModel();
                var transformer = new SegmentationTransformer(loaded.Model, loaded.Manifest, new SegmentationColumns
                {
                    ImageColumnName = Options.ImageColumnName, PredictedLabelColumnName = Options.PredictedLabelColumnName,
                    ScoreColumnName = Options.ScoreColumnName, PixelLayout = Options.PixelLayout,
                }, options.Device);
                return new SegmentationExperimentResult(sweep, transformer);
            }
            finally
            {
                (validation as IDisposable)?.Dispose();
            }
        }
        finally
        {
            (train as IDisposable)?.Dispose();
        }
    }

    // Finished runs go to the context's log as well as to the caller's progress sink.
    private sealed class Progress(IChannel channel, IProgress<SweepProgress>? user) : IProgress<SweepProgress>
    {
        public void Report(SweepProgress value)
        {
            if (value is { Kind: SweepProgressKind.RunFinished, Entry: { } e })
                channel.Info(MessageSensitivity.None, FormattableString.Invariant(
                    $"trial {e.Trial}{(e.Rung is int r ? $" rung {r}" : "")}: {e.Parameters.Describe()}: {SweepReport.StatusText(e.Status)}, score {e.Score:F4}, {e.Epochs} epochs, {e.Seconds:F1} s"));
            user?.Report(value);
        }
    }
}
