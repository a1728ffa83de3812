using System.Globalization;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Metrics;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Training.Schedules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Training;

/// <summary>
/// Trains a segmentation network: optimizer steps under a learning-rate schedule, validation mIoU every epoch (or every
/// few, and after the last), best weights kept, early stopping, an optional wall-time budget the schedule is sized to,
/// and an atomic resumable checkpoint after every epoch. The optimizers are
/// TorchSharp's torch.optim SGD, Adam and AdamW (their trajectories match PyTorch's: the Training fixtures); gradient
/// clipping is torch.nn.utils.clip_grad_norm_. Each step and each validation batch runs in its own dispose scope.
/// </summary>
public sealed class SegmentationTrainer
{
    private readonly nn.Module<Tensor, Tensor> _model;
    private readonly ISegmentationLoss _loss;
    private readonly TrainerOptions _options;

    /// <summary>Creates a trainer for <paramref name="model"/> (N x C x H x W → N x K x H x W logits) and <paramref name="loss"/>.</summary>
    public SegmentationTrainer(nn.Module<Tensor, Tensor> model, ISegmentationLoss loss, TrainerOptions options)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _loss = loss ?? throw new ArgumentNullException(nameof(loss));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        TorchRuntime.EnsureInitialized();
        Device = options.Device ?? (TorchRuntime.CudaIsAvailable ? new Device(DeviceType.CUDA, 0) : CPU);
        if (options.Precision == TrainingPrecision.Float16 && Device.type != DeviceType.CUDA)
            throw new ArgumentException($"float16 mixed precision needs a CUDA device (training runs on {Device}); use BFloat16 on the CPU", nameof(options));
    }

    /// <summary>The device training runs on.</summary>
    public Device Device { get; }

    /// <summary>The path of the per-epoch checkpoint (null without a checkpoint folder).</summary>
    public string? CheckpointPath => _options.CheckpointDirectory is null ? null : CheckpointPathIn(_options.CheckpointDirectory);

    /// <summary>Where a trainer with <paramref name="checkpointDirectory"/> keeps its per-epoch checkpoint.</summary>
    public static string CheckpointPathIn(string checkpointDirectory) => Path.Combine(checkpointDirectory, "checkpoint.safetensors");

    /// <summary>The path of the best weights (null without a checkpoint folder).</summary>
    public string? BestModelPath => _options.CheckpointDirectory is null ? null : Path.Combine(_options.CheckpointDirectory, "best.safetensors");

    /// <summary>
    /// Trains on <paramref name="train"/>, validating on <paramref name="validation"/> after every epoch. With
    /// <paramref name="resume"/>, continues after the checkpoint's last completed epoch with the same model, optimizer and
    /// RNG state (and, under a time budget, with the time its epochs took already spent); resuming needs
    /// <see cref="TrainerOptions.CheckpointDirectory"/> and a checkpoint in it (<see cref="InvalidOperationException"/>
    /// naming the path otherwise: a resume never silently starts afresh). Ends with the best validated epoch's weights
    /// loaded in the model, or the last epoch's when <see cref="TrainerOptions.RestoreBestWeights"/> is false.
    /// </summary>
    public TrainingResult Fit(IBatchSource train, IBatchSource? validation = null, IProgress<TrainingProgress>? progress = null,
        bool resume = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (train.BatchesPerEpoch < 1) throw new ArgumentException("the training data yields no batch", nameof(train));
        if (resume && CheckpointPath is null)
            throw new InvalidOperationException("resume needs TrainerOptions.CheckpointDirectory, the folder of the run to continue");
        if (resume && !File.Exists(CheckpointPath))
            throw new InvalidOperationException($"resume: there is no checkpoint at {CheckpointPath}; train without resume to start afresh");
        ModuleDevice.MoveTo(_model, Device);
        var parameters = _model.parameters().Where(p => p.requires_grad).ToList();
        if (parameters.Count == 0) throw new ArgumentException("the model has no trainable parameters");
        using var optimizer = CreateOptimizer(parameters);
        var scaler = _options.Precision == TrainingPrecision.Float16 ? new GradientScaler() : null;
        int stepsPerEpoch = train.BatchesPerEpoch;

        var history = new List<EpochRecord>();
        int firstEpoch = 0, bestEpoch = -1, sinceBest = 0;
        long stepsDone = 0;
        double bestIoU = double.NegativeInfinity;
        StateDict? best = null;
        if (_options.CheckpointDirectory is not null) Directory.CreateDirectory(_options.CheckpointDirectory);
        if (resume)
        {
            var checkpoint = TrainingCheckpoint.Load(CheckpointPath!, _model, optimizer, ScheduleText());
            firstEpoch = checkpoint.CompletedEpochs;
            stepsDone = checkpoint.CompletedSteps;
            history.AddRange(checkpoint.History);
            (bestEpoch, bestIoU, sinceBest) = (checkpoint.BestEpoch, checkpoint.BestValidationMeanIoU, checkpoint.EpochsSinceBest);
            if (BestModelPath is not null && File.Exists(BestModelPath)) best = Weights.SafeTensors.Load(BestModelPath);
        }
        else
        {
            random.manual_seed((long)_options.Seed);
        }

        // The time of earlier (resumed) epochs counts against the budget; the plan covers all epochs of the run.
        var clock = _options.Clock;
        long started = clock.GetTimestamp();
        var earlier = TimeSpan.FromSeconds(history.Sum(h => h.Seconds));
        TimeSpan Elapsed() => earlier + clock.GetElapsedTime(started);
        int plannedEpochs = _options.TimeBudget is { } budget ? TimeBudgetPlan.PlannedEpochs(firstEpoch, earlier, budget, _options.Epochs) : _options.Epochs;
        var schedule = CreateSchedule((long)plannedEpochs * stepsPerEpoch);

        SegmentationMetrics? lastValidation = null;
        bool stoppedEarly = false;
        long imagesSeen = 0;
        double trainingSeconds = 0; // the steps' time alone: images/s leaves validation out
        try
        {
            // The planned epochs (re-planned under a time budget), or fewer when the run pauses after StopAfterEpochs.
            for (int epoch = firstEpoch; epoch < Math.Min(plannedEpochs, _options.StopAfterEpochs ?? int.MaxValue); epoch++)
            {
                long epochStarted = clock.GetTimestamp();
                double lossSum = 0;
                int steps = 0;
                _model.train();
                double learningRate = _options.LearningRate;
                foreach (var batch in train.GetBatches(epoch, cancellationToken))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    using (batch)
                    {
                        learningRate = schedule.Apply(optimizer, stepsDone);
                        double loss = TrainStep(batch, optimizer, parameters, scaler);
                        stepsDone++;
                        if (!double.IsFinite(loss))
                            throw new InvalidOperationException($"the training loss became {loss} at epoch {epoch + 1}, step {steps + 1}; lower the learning rate");
                        lossSum += loss;
                        steps++;
                        imagesSeen += batch.Count;
                        double seconds = clock.GetElapsedTime(started).TotalSeconds;
                        double perSecond = imagesSeen / Math.Max(trainingSeconds + clock.GetElapsedTime(epochStarted).TotalSeconds, 1e-9);
                        long done = (long)(epoch - firstEpoch) * stepsPerEpoch + steps;
                        long remaining = (long)plannedEpochs * stepsPerEpoch - ((long)epoch * stepsPerEpoch + steps);
                        var eta = TimeSpan.FromSeconds(seconds / Math.Max(done, 1) * Math.Max(remaining, 0));
                        progress?.Report(new TrainingProgress(ProgressKind.Step, epoch + 1, plannedEpochs, steps, stepsPerEpoch,
                            loss, learningRate, perSecond, eta));
                    }
                }
                if (steps == 0) throw new InvalidOperationException($"epoch {epoch + 1} yielded no batch");
                trainingSeconds += clock.GetElapsedTime(epochStarted).TotalSeconds;

                if (_options.TimeBudget is { } timeBudget)
                {
                    int planned = TimeBudgetPlan.PlannedEpochs(epoch + 1, Elapsed(), timeBudget, _options.Epochs);
                    if (planned != plannedEpochs) schedule = CreateSchedule((long)planned * stepsPerEpoch);
                    plannedEpochs = planned;
                }
                bool last = epoch + 1 >= plannedEpochs;
                bool validated = validation is not null && (last || (epoch + 1) % _options.ValidationInterval == 0);
                lastValidation = validated ? Evaluate(validation!, cancellationToken) : null;
                double? miou = lastValidation?.MeanIoU;
                var epochTime = clock.GetElapsedTime(epochStarted);
                var record = new EpochRecord(epoch + 1, lossSum / steps, learningRate, miou, lastValidation?.PixelAccuracy, epochTime.TotalSeconds);
                history.Add(record);

                // With validation data only validated epochs compete (by mIoU); without, every epoch does (by -loss).
                bool competes = validation is null || validated;
                double score = miou is double m && !double.IsNaN(m) ? m : -lossSum / steps;
                if (competes && score > bestIoU)
                {
                    (bestIoU, bestEpoch, sinceBest) = (score, epoch + 1, 0);
                    best?.Dispose();
                    best = _model.StateDictOf(copy: true);
                    if (BestModelPath is not null) Weights.SafeTensors.Save(BestModelPath, best);
                }
                else if (competes) sinceBest++;

                if (CheckpointPath is not null)
                    new TrainingCheckpoint(epoch + 1, stepsDone, history, bestEpoch, bestIoU, sinceBest) { Schedule = ScheduleText() }
                        .Save(CheckpointPath, _model, optimizer);

                progress?.Report(new TrainingProgress(ProgressKind.EpochEnd, epoch + 1, plannedEpochs, steps, stepsPerEpoch,
                    record.TrainLoss, learningRate, imagesSeen / Math.Max(trainingSeconds, 1e-9),
                    TimeSpan.FromSeconds(epochTime.TotalSeconds * (plannedEpochs - epoch - 1)), lastValidation));

                if (_options.EarlyStoppingPatience is int patience && validated && sinceBest >= patience)
                {
                    stoppedEarly = true;
                    break;
                }
            }
            if (best is not null && _options.RestoreBestWeights) _model.Load(best);
        }
        finally
        {
            best?.Dispose();
        }
        var bestRecord = history.FirstOrDefault(h => h.Epoch == bestEpoch);
        return new TrainingResult(history, bestEpoch, bestRecord?.ValidationMeanIoU ?? double.NaN, stoppedEarly, lastValidation);
    }

    private double TrainStep(SegmentationBatch batch, optim.Optimizer optimizer, IReadOnlyList<Parameter> parameters, GradientScaler? scaler)
    {
        using var scope = NewDisposeScope();
        // to(Device) returns the tensor itself when the batch is already there.
        var images = batch.Images.to(Device);
        var masks = batch.Masks.to(Device);
        Tensor loss;
        using (_options.Precision.Autocast(Device))
        {
            var logits = _model.call(images);
            loss = _loss.Compute(logits, masks);
        }
        optimizer.zero_grad();
        if (scaler is null)
        {
            loss.backward();
            if (_options.ClipGradientNorm is double clip) nn.utils.clip_grad_norm_(parameters, clip);
            optimizer.step();
        }
        else
        {
            scaler.Scale(loss).backward();
            if (_options.ClipGradientNorm is double clip && scaler.Unscale(parameters)) nn.utils.clip_grad_norm_(parameters, clip);
            scaler.Step(optimizer, parameters);
            scaler.Update();
        }
        if (_options.GradientsToNone) Gradients.SetToNone(parameters);
        return loss.to_type(ScalarType.Float64).item<double>();
    }

    /// <summary>Validation metrics of the model (in eval mode, without gradients) on <paramref name="data"/>.</summary>
    public SegmentationMetrics Evaluate(IBatchSource data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        _model.eval();
        using var matrix = new ConfusionMatrix(_options.NumClasses, _options.IgnoreIndex);
        using (no_grad())
        {
            foreach (var batch in data.GetBatches(0, cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using (batch)
                using (NewDisposeScope())
                using (_options.Precision.Autocast(Device))
                {
                    var prediction = _model.call(batch.Images.to(Device)).argmax(1);
                    matrix.Update(prediction, batch.Masks.to(Device));
                }
            }
        }
        _model.train();
        return matrix.ComputeMetrics();
    }

    private TorchSharp.Modules.OptimizerHelper CreateOptimizer(IReadOnlyList<Parameter> parameters) => _options.Optimizer switch
    {
        OptimizerKind.Sgd => new Optimizers.SafeSgd(parameters, _options.LearningRate, _options.Momentum, _options.WeightDecay, _options.Nesterov),
        OptimizerKind.Adam => new Optimizers.SafeAdam(parameters, _options.LearningRate, _options.WeightDecay),
        OptimizerKind.AdamW => new Optimizers.SafeAdamW(parameters, _options.LearningRate, _options.WeightDecay),
        _ => throw new ArgumentOutOfRangeException(nameof(_options.Optimizer), _options.Optimizer, "unknown optimizer"),
    };

    // What a resumed run must share with the run that wrote the checkpoint: the schedule's kind, base rate and warm-up.
    // More (or fewer) epochs are allowed: the schedule is a closed form of the step and the total, so the rest of the
    // curve stretches to the new end, as when max_epochs is raised on a resumed PyTorch Lightning run.
    private string ScheduleText() => string.Create(CultureInfo.InvariantCulture,
        $"{_options.Schedule}, lr {_options.LearningRate:R}, warm-up {_options.WarmupSteps} steps");

    private LearningRateSchedule CreateSchedule(long totalSteps)
    {
        long scheduled = Math.Max(1, totalSteps - _options.WarmupSteps);
        double lr = _options.LearningRate;
        LearningRateSchedule schedule = _options.Schedule switch
        {
            ScheduleKind.Constant => new ConstantSchedule(lr),
            ScheduleKind.Poly => new PolySchedule(lr, scheduled),
            ScheduleKind.Cosine => new CosineSchedule(lr, scheduled),
            ScheduleKind.Step => new StepSchedule(lr, Math.Max(1, scheduled / 3)),
            ScheduleKind.OneCycle => new OneCycleSchedule(lr, Math.Max(10, scheduled)),
            _ => throw new ArgumentOutOfRangeException(nameof(_options.Schedule), _options.Schedule, "unknown schedule"),
        };
        return _options.WarmupSteps > 0 ? new WarmupSchedule(schedule, _options.WarmupSteps) : schedule;
    }
}
