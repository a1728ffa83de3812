using System.Diagnostics;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Experiments;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Reports;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Samples.Reporting;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg train --data DIR --layout L --arch A --epochs N --out DIR ...`: trains a network on a dataset, validating every
/// epoch (or every few, and after the last), optionally within a wall-time budget, and writes the model file, resumable
/// checkpoints, prediction PNGs, report.html and metrics.json (the evaluated split's metrics).
/// </summary>
public sealed class TrainCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "train";

    /// <inheritdoc />
    public string Summary => "train a network on a dataset; writes model zip, checkpoints, PNGs and report.html";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        .. DataArguments.Options,
        .. ModelArguments.Options,
        CommandOption.Valued("--out", "DIR", "output folder: model.mlseg.zip, checkpoints/, predictions/, report.html, metrics.json") with { Required = true },
        CommandOption.Valued("--epochs", "N", "epochs [10]; with --minutes the most epochs [1000]"),
        CommandOption.Valued("--minutes", "M", "wall-time budget: the schedule is sized to the epochs that fit, measured as they run [none]"),
        CommandOption.Valued("--batch", "B", "images per step [4]"),
        CommandOption.Valued("--crop", "S|HxW", "train on random S x S (or H x W) crops [whole images]"),
        CommandOption.Valued("--augment", "none|flip|full", "augmentation [flip; full: elastic + rotation for gray data, scale + jitter for RGB]"),
        CommandOption.Valued("--normalize", "auto|none|imagenet", "input normalization [auto: ImageNet statistics for RGB]"),
        CommandOption.Valued("--loss", "ce|dice|ce+dice|focal|jaccard|tversky|lovasz", "training loss [ce+dice]"),
        CommandOption.Flag("--class-weights", "weight cross-entropy by the dataset's class weights (e.g. SegNet's CamVid weights)"),
        CommandOption.Valued("--class-weight-power", "P", "with --class-weights: raise the weights to the power P (0.5 tempers them) [1]"),
        CommandOption.Valued("--optimizer", "sgd|adam|adamw", "optimizer [adamw]"),
        CommandOption.Valued("--lr", "X", "learning rate [0.01 for sgd, 1e-3 otherwise]"),
        CommandOption.Valued("--weight-decay", "X", "weight decay [1e-4 for adamw, 0 otherwise]"),
        CommandOption.Valued("--schedule", "poly|cosine|step|onecycle|constant", "learning-rate schedule [cosine]"),
        CommandOption.Valued("--warmup", "STEPS", "linear warm-up steps [0]"),
        CommandOption.Valued("--clip", "NORM", "clip the gradient norm to NORM [no clipping]"),
        CommandOption.Valued("--patience", "N", "stop after N validations without a better validation mIoU [never]"),
        CommandOption.Valued("--validate-every", "N", "validate every N epochs and after the last [1]"),
        CommandOption.Valued("--keep", "best|last", "the weights saved: the best validated epoch's or the last epoch's [best]"),
        CommandOption.Valued("--order", "FILE", "per-epoch sample orders, one line of indices per epoch (e.g. shared with a PyTorch twin) [seeded shuffle]"),
        CommonOptions.Precision,
        CommonOptions.Device,
        CommandOption.Valued("--workers", "N", "data-loading threads (0 = on the training thread) [1]"),
        CommandOption.Valued("--seed", "N", "seed for weights, shuffling and augmentation [42]"),
        CommandOption.Valued("--samples", "N", "validation images drawn in the report [6]"),
        CommandOption.Flag("--resume", "continue from --out's checkpoints/ (same settings)"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        string outDir = OutputFolder.Prepare("--out", a.Required("--out"), OutputFolder.TrainingOutputs.Files, OutputFolder.TrainingOutputs.Folders);
        string checkpointDirectory = Path.Combine(outDir, "checkpoints");
        string checkpointPath = SegmentationTrainer.CheckpointPathIn(checkpointDirectory);
        if (a.Has("--resume") && !File.Exists(checkpointPath))
            throw new FileNotFoundException($"--resume: no checkpoint at {checkpointPath}; run without --resume to start afresh", checkpointPath);
        double? minutes = a.DoubleOrNull("--minutes", 0.01, 100_000);
        int epochs = a.Int("--epochs", minutes is null ? 10 : 1000, 1, 100_000);
        string keep = a.Choice("--keep", "best", "best", "last");
        int batch = a.Int("--batch", 4, 1, 4096);
        var (cropHeight, cropWidth) = Crop(a);
        bool crop = cropHeight > 0;
        int seed = a.Int("--seed", 42, 0);
        string augment = a.Choice("--augment", "flip", "none", "flip", "full");
        var device = DeviceArgument.Parse(a);
        var precision = a.Choice("--precision", "fp32", "fp32", "bf16", "fp16") switch
        {
            "bf16" => TrainingPrecision.BFloat16,
            "fp16" => TrainingPrecision.Float16,
            _ => TrainingPrecision.Float32,
        };
        var optimizer = a.Choice("--optimizer", "adamw", "sgd", "adam", "adamw") switch
        {
            "sgd" => OptimizerKind.Sgd,
            "adam" => OptimizerKind.Adam,
            _ => OptimizerKind.AdamW,
        };
        var schedule = a.Choice("--schedule", "cosine", "poly", "cosine", "step", "onecycle", "constant") switch
        {
            "poly" => ScheduleKind.Poly,
            "step" => ScheduleKind.Step,
            "onecycle" => ScheduleKind.OneCycle,
            "constant" => ScheduleKind.Constant,
            _ => ScheduleKind.Cosine,
        };
        string lossName = a.Choice("--loss", "ce+dice", "ce", "dice", "ce+dice", "focal", "jaccard", "tversky", "lovasz");
        var data = DataArguments.Read(a);
        var description = data.Description;
        Normalize? normalize = NormalizeArgument.Parse(a, description);
        var terminal = new Terminal(output);

        // Crops pad with 255 when an image is smaller than the crop: the loss then ignores those pixels.
        long? lossIgnore = description.IgnoreIndex ?? (crop ? 255 : null);
        var loss = BuildLoss(lossName, lossIgnore, ClassWeightsArgument(a, description), description);
        var trainTransforms = new List<IJointTransform>();
        if (augment == "full") trainTransforms.Add(FullAugmentation(description, cropHeight, cropWidth));
        else
        {
            if (augment == "flip") trainTransforms.Add(new RandomHorizontalFlip());
            if (augment == "flip" && description.ImageChannels == 1) trainTransforms.Add(new RandomVerticalFlip());
            if (crop) trainTransforms.Add(new RandomCrop(cropHeight, cropWidth, lossIgnore!.Value));
        }
        if (normalize is not null) trainTransforms.Add(normalize);
        int workers = a.Int("--workers", 1, 0, 64);
        var orders = a.String("--order") is { } orderPath ? ReadOrders(orderPath, data.Train.Count, epochs) : null;
        var trainLoader = new DataLoader(data.Train, new DataLoaderOptions
        {
            BatchSize = Math.Min(batch, data.Train.Count), Shuffle = true, DropLast = true, Seed = (ulong)seed, Workers = workers,
            Transform = new Compose([.. trainTransforms]), EpochOrders = orders,
        });
        var validationLoader = data.Validation is null ? null : new DataLoader(data.Validation, new DataLoaderOptions
        {
            BatchSize = 1, Shuffle = false, Workers = workers, Transform = normalize,
        });

        using var model = ModelArguments.Create(a, description.NumClasses, description.ImageChannels, (ulong)seed);
        var options = new TrainerOptions
        {
            NumClasses = description.NumClasses, Epochs = epochs, Optimizer = optimizer, Schedule = schedule,
            LearningRate = a.Double("--lr", optimizer == OptimizerKind.Sgd ? 0.01 : 1e-3, 1e-9, 10),
            WeightDecay = a.Double("--weight-decay", optimizer == OptimizerKind.AdamW ? 1e-4 : 0, 0, 1),
            WarmupSteps = a.Int("--warmup", 0, 0), ClipGradientNorm = a.DoubleOrNull("--clip", 1e-9),
            EarlyStoppingPatience = a.IntOrNull("--patience", 1), IgnoreIndex = description.IgnoreIndex, Device = device,
            Precision = precision, Seed = (ulong)seed, CheckpointDirectory = checkpointDirectory,
            TimeBudget = minutes is double m ? TimeSpan.FromMinutes(m) : null, ValidationInterval = a.Int("--validate-every", 1, 1, 100_000),
            RestoreBestWeights = keep == "best",
        };
        var trainer = new SegmentationTrainer(model, loss, options);
        terminal.Line($"mlseg train: {data.Train.Count} training and {data.Validation?.Count ?? 0} validation images ({description.Name}, " +
                      $"{description.NumClasses} classes), libtorch {TorchRuntime.LibTorchVersion} on {Devices.Name(trainer.Device)}, {TorchRuntime.Threads} threads");
        terminal.Line($"model: {ModelArguments.CatalogName(a)} ({model.ParameterCount():N0} parameters); loss {lossName}; {optimizer}, " +
                      $"lr {options.LearningRate}, {schedule} schedule; batch {trainLoader.Options.BatchSize}, crop {(crop ? $"{cropHeight}x{cropWidth}" : "none")}, " +
                      $"augmentation {augment}, {precision}" +
                      (minutes is double budget ? FormattableString.Invariant($"; budget {budget} min (at most {epochs} epochs)") : "") +
                      (orders is null ? "" : $"; {orders.Count} epoch orders from {a.String("--order")}"));

        var clock = Stopwatch.StartNew();
        var result = TrainingProgressDisplay.Run(terminal, progress => trainer.Fit(trainLoader, validationLoader, progress, a.Has("--resume"), cancellation));
        terminal.Line($"best validation mIoU {result.BestValidationMeanIoU:F4} at epoch {result.BestEpoch}; {result.History.Count} epochs trained in " +
                      $"{clock.Elapsed:hh\\:mm\\:ss}{(keep == "last" ? $"; keeping epoch {result.History.Count}'s weights" : "")}");

        string modelPath = Path.Combine(outDir, "model.mlseg.zip");
        SegmentationModelFile.Save(modelPath, model, new ModelManifest
        {
            Architecture = "", Options = default, NumClasses = description.NumClasses, InChannels = description.ImageChannels,
            ClassNames = description.ClassNames, ClassColors = description.Colors.Select(MaskVisualizer.Hex).ToArray(),
            IgnoreIndex = description.IgnoreIndex, BackgroundClass = description.BackgroundClass, Mean = normalize?.Mean.ToArray(), Std = normalize?.Std.ToArray(),
            TileSize = crop ? [cropHeight, cropWidth] : null,
        });

        var evaluated = data.Validation ?? data.Train;
        var predictor = new SegmentationPredictor(model, new PredictorOptions { Mean = normalize?.Mean.ToArray(), Std = normalize?.Std.ToArray() });
        var validation = ValidationRun.Run(predictor, evaluated, outDir, a.Int("--samples", 6, 0, 1000));
        var report = TrainingReportBuilder.Build($"MLNet.Segmentation: {ModelArguments.CatalogName(a)} on {description.Name}",
            $"Generated by `mlseg train {a.CommandLineText}` on {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; evaluated on the " +
            $"{(data.Validation is null ? "training" : "validation")} images, whole-image inference.", lossName, result, validation, description);
        string reportPath = Path.Combine(outDir, "report.html");
        ImageEncoder.WriteAtomically(reportPath, System.Text.Encoding.UTF8.GetBytes(report.Render()));
        string metricsPath = Path.Combine(outDir, "metrics.json");
        ImageEncoder.WriteAtomically(metricsPath, System.Text.Encoding.UTF8.GetBytes(validation.Evaluation.ToJson(indented: true)));

        MetricsView.Write(terminal, validation.Evaluation, description.ClassNames, description.Colors);
        terminal.Line($"model file:   {modelPath}");
        terminal.Line($"checkpoints:  {options.CheckpointDirectory}");
        terminal.Line($"predictions:  {Path.Combine(outDir, "predictions")}");
        terminal.Line($"report:       {reportPath}");
        terminal.Line($"metrics:      {metricsPath}");
        return Task.FromResult(0);
    }

    // An order file must cover every epoch the run may train (--epochs, the most under --minutes).
    private static IReadOnlyList<int[]> ReadOrders(string path, int count, int epochs)
    {
        var orders = EpochOrderFile.Read(path, count);
        if (orders.Count < epochs)
            throw new InvalidDataException($"--order {path}: {orders.Count} epoch orders for up to {epochs} epochs; write more or lower --epochs");
        return orders;
    }

    private static double[]? ClassWeightsArgument(Arguments a, DatasetDescription description)
    {
        double? power = a.DoubleOrNull("--class-weight-power", 0, 4);
        if (!a.Has("--class-weights"))
        {
            if (power is not null) throw new UsageException("--class-weight-power needs --class-weights");
            return null;
        }
        if (description.ClassWeights is null)
            throw new ArgumentException("--class-weights: this dataset has no class weights (the CamVid layout has SegNet's)");
        return ClassFrequencyWeights.Temper(description.ClassWeights.Select(w => (double)w).ToArray(), power ?? 1);
    }

    private static ISegmentationLoss BuildLoss(string name, long? ignore, double[]? classWeights, DatasetDescription description)
    {
        var overlap = new OverlapLossOptions { IgnoreIndex = ignore, ClassWeights = classWeights };
        var crossEntropy = new CrossEntropyLoss(new CrossEntropyLossOptions { IgnoreIndex = ignore, ClassWeights = classWeights });
        return name switch
        {
            "ce" => crossEntropy,
            "dice" => new DiceLoss(overlap),
            "focal" => new FocalLoss(new FocalLossOptions { IgnoreIndex = ignore, ClassWeights = classWeights }),
            "jaccard" => new JaccardLoss(overlap),
            "tversky" => new TverskyLoss(new TverskyLossOptions { IgnoreIndex = ignore, ClassWeights = classWeights, Alpha = 0.3, Beta = 0.7 }),
            "lovasz" => new LovaszSoftmaxLoss(new LovaszSoftmaxLossOptions { IgnoreIndex = ignore }),
            _ => new WeightedSumLoss((1.0, crossEntropy), (1.0, new DiceLoss(overlap))),
        };
    }

    // --crop S or HxW; (0, 0) = whole images.
    private static (int Height, int Width) Crop(Arguments a)
    {
        if (a.String("--crop") is { } text && text.Contains('x', StringComparison.OrdinalIgnoreCase)) return a.Size("--crop", (0, 0), 16384);
        int side = a.Int("--crop", 0, 0, 16384);
        return (side, side);
    }

    // --augment full (internal: the CamVid twin test checks it against build/camvid/pytorch_camvid.py draw for draw).
    internal static IJointTransform FullAugmentation(DatasetDescription description, int cropHeight, int cropWidth)
    {
        long fill = description.IgnoreIndex ?? 255;
        if (description.ImageChannels == 1)
        {
            if (cropHeight != cropWidth) throw new ArgumentException($"--augment full on gray images takes square crops, not {cropHeight}x{cropWidth}");
            return cropHeight > 0 ? Pipelines.MembraneTrain(cropHeight) : new Compose(new ElasticDeformation(sigma: 10, gridSize: 3), new RandomRotation(15),
                new RandomHorizontalFlip(), new RandomVerticalFlip());
        }
        var steps = new List<IJointTransform> { new RandomScale(0.75, 1.25) };
        if (cropHeight > 0) steps.Add(new RandomCrop(cropHeight, cropWidth, fill));
        steps.Add(new RandomHorizontalFlip());
        steps.Add(new ColorJitter(0.2, 0.2, 0.2));
        return new Compose([.. steps]);
    }
}
