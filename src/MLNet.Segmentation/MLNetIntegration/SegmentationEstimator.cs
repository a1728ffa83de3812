using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Losses;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Reports;
using MLNet.Segmentation.Training;
using static TorchSharp.torch;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// Trains one segmentation architecture on an IDataView of (image, mask) rows and returns a
/// <see cref="SegmentationTransformer"/>. Honours the MLContext's seed, <c>GpuDeviceId</c> and <c>FallbackToCpu</c>,
/// and reports progress through the context's log and progress channels.
/// </summary>
public sealed class SegmentationEstimator : IEstimator<SegmentationTransformer>
{
    private readonly IHostEnvironment _environment;

    internal SegmentationEstimator(MLContext context, string architecture, SegmentationTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(context);
        _environment = context;
        Context = context;
        Architecture = architecture;
        Options = options ?? throw new ArgumentNullException(nameof(options));
        if (options.NumberOfClasses is < 1 or > 256) throw new ArgumentOutOfRangeException(nameof(options), options.NumberOfClasses, "NumberOfClasses must be 1..256");
        if (options.ClassNames is { } names && names.Count != options.NumberOfClasses)
            throw new ArgumentException($"ClassNames has {names.Count} names for {options.NumberOfClasses} classes", nameof(options));
        if (options.ImageChannels is not (1 or 3)) throw new ArgumentOutOfRangeException(nameof(options), options.ImageChannels, "ImageChannels must be 1 or 3");
    }

    /// <summary>The context the estimator belongs to.</summary>
    public MLContext Context { get; }

    /// <summary>The model-catalog name of the network (e.g. "unet", "deeplabv3plus-resnet50").</summary>
    public string Architecture { get; }

    /// <summary>The training options.</summary>
    public SegmentationTrainerOptions Options { get; }

    /// <inheritdoc />
    public SchemaShape GetOutputSchema(SchemaShape inputSchema)
    {
        ArgumentNullException.ThrowIfNull(inputSchema);
        CheckFormats(ColumnInputs.Find(inputSchema, "image", Options.ImageColumnName), ColumnInputs.Find(inputSchema, "label", Options.LabelColumnName));
        var result = SchemaShapes.WithVector(inputSchema, Options.PredictedLabelColumnName, NumberDataViewType.UInt32);
        return Options.ScoreColumnName is { } score ? SchemaShapes.WithVector(result, score, NumberDataViewType.Single) : result;
    }

    /// <inheritdoc />
    public SegmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var augmentation = Unwrap(ref input);
        var (imageFormat, maskFormat) = CheckFormats(ColumnInputs.Find(input.Schema, "image", Options.ImageColumnName),
            ColumnInputs.Find(input.Schema, "label", Options.LabelColumnName));
        var host = _environment.Register($"Segmentation.{Architecture}");
        int seed = host.Rand.Next();
        var device = ResolveDevice();
        var description = Description();
        var train = Read(input, description, imageFormat, maskFormat, "training");
        var validation = Options.ValidationSet is null ? null : Read(Options.ValidationSet, description,
            ColumnInputs.ImageFormat(ColumnInputs.Find(Options.ValidationSet.Schema, "validation set's image", Options.ImageColumnName)),
            ColumnInputs.MaskFormat(ColumnInputs.Find(Options.ValidationSet.Schema, "validation set's label", Options.LabelColumnName)), "validation");
        try
        {
            var normalize = Options.Mean is null ? null : new Normalize(Options.Mean, Options.Std ?? throw new ArgumentException("Mean needs Std"));
            var trainTransforms = new List<IJointTransform>();
            if (augmentation is not null) trainTransforms.Add(augmentation);
            if (Options.Augmentation is not null) trainTransforms.Add(Options.Augmentation);
            if (normalize is not null) trainTransforms.Add(normalize);
            int batch = Math.Min(Options.BatchSize, train.Count);
            var trainLoader = new DataLoader(train, new DataLoaderOptions
            {
                BatchSize = batch, Shuffle = true, DropLast = true, Seed = (ulong)seed, Workers = 1, Transform = new Compose([.. trainTransforms]),
            });
            var validationLoader = validation is null ? null
                : new DataLoader(validation, new DataLoaderOptions { BatchSize = 1, Shuffle = false, Workers = 1, Transform = normalize });

            // The catalog's networks initialize from TorchSharp's global generator: seeded from the context for reproducibility.
            random.manual_seed(seed);
            var created = ModelCatalog.Create(Architecture, new ModelBuildSettings(Options.NumberOfClasses, Options.ImageChannels, Options.WidthDivisor));
            if (created is not SegmentationModel model)
            {
                created.Dispose();
                throw new InvalidOperationException($"{Architecture} is not a segmentation network");
            }
            WeightedSumLoss? defaultLoss = null;
            try
            {
                var loss = Options.Loss ?? (defaultLoss = new WeightedSumLoss(
                    (1.0, new CrossEntropyLoss(new CrossEntropyLossOptions { IgnoreIndex = Options.IgnoreIndex })),
                    (1.0, new DiceLoss(new OverlapLossOptions { IgnoreIndex = Options.IgnoreIndex }))));
                var trainer = new SegmentationTrainer(model, loss, new TrainerOptions
                {
                    NumClasses = Options.NumberOfClasses, Epochs = Options.NumberOfEpochs, Optimizer = Options.Optimizer,
                    LearningRate = Options.LearningRate, WeightDecay = Options.WeightDecay, Schedule = Options.Schedule,
                    IgnoreIndex = Options.IgnoreIndex, Device = device, Seed = (ulong)seed, Precision = Options.Precision,
                });
                using (var channel = host.Start("Training"))
                using (var progressChannel = host.StartProgressChannel("Segmentation training"))
                {
                    channel.Info(MessageSensitivity.None, $"{Architecture}: {train.Count} training and {validation?.Count ?? 0} validation images, " +
                                                          $"{Options.NumberOfClasses} classes, {Options.NumberOfEpochs} epochs on {Devices.Name(trainer.Device)}");
                    var progress = new ChannelProgress(channel, progressChannel);
                    trainer.Fit(trainLoader, validationLoader, progress);
                }
                var manifest = new ModelManifest
                {
                    Architecture = "", Options = default, NumClasses = Options.NumberOfClasses, InChannels = Options.ImageChannels,
                    ClassNames = description.ClassNames, ClassColors = description.Colors.Select(MaskVisualizer.Hex).ToArray(),
                    IgnoreIndex = Options.IgnoreIndex, Mean = Options.Mean, Std = Options.Std,
                };
                var (key, options) = ArchitectureRegistry.Describe(model);
                manifest = manifest with { Architecture = key, Options = options };
                return new SegmentationTransformer(model, manifest, new SegmentationColumns
                {
                    ImageColumnName = Options.ImageColumnName, PredictedLabelColumnName = Options.PredictedLabelColumnName,
                    ScoreColumnName = Options.ScoreColumnName, PixelLayout = Options.PixelLayout,
                }, device);
            }
            catch
            {
                model.Dispose();
                throw;
            }
            finally
            {
                if (defaultLoss is not null)
                {
                    foreach (var (_, term) in defaultLoss.Terms) (term as IDisposable)?.Dispose();
                    defaultLoss.Dispose();
                }
            }
        }
        finally
        {
            (train as IDisposable)?.Dispose();
            (validation as IDisposable)?.Dispose();
        }
    }

    // Rows from Transforms.Augment(...) carry the augmentation this trainer applies per sample and epoch.
    private IJointTransform? Unwrap(ref IDataView input)
    {
        if (input is not AugmentedDataView augmented) return null;
        var step = augmented.Augmentation;
        if (step.ImageColumnName != Options.ImageColumnName || step.LabelColumnName != Options.LabelColumnName)
            throw new ArgumentException($"Augment was given columns '{step.ImageColumnName}' and '{step.LabelColumnName}' but the trainer reads " +
                                        $"'{Options.ImageColumnName}' and '{Options.LabelColumnName}'");
        input = augmented.Source;
        return step.Augmentation;
    }

    private (ColumnFormat Image, ColumnFormat Mask) CheckFormats(ColumnInputs.ColumnInfo image, ColumnInputs.ColumnInfo label)
    {
        var imageFormat = ColumnInputs.ImageFormat(image);
        if (imageFormat == ColumnFormat.Pixels && Options.PixelLayout is null)
            throw SchemaErrors.Mismatch("image", image.Name, "String or Vector<Byte>, or Vector<Single> with options.PixelLayout set", image.TypeText);
        return (imageFormat, ColumnInputs.MaskFormat(label));
    }

    // ML.NET's rule: GpuDeviceId picks a CUDA device, which must exist unless FallbackToCpu is set.
    private Device ResolveDevice() => Devices.FromMLContext(Context.GpuDeviceId, Context.FallbackToCpu);

    private DatasetDescription Description()
    {
        var names = Options.ClassNames ?? Enumerable.Range(0, Options.NumberOfClasses).Select(i => $"class {i}").ToArray();
        return new DatasetDescription
        {
            Name = "mlnet", ClassNames = names, Colors = DatasetDescription.DefaultColors(names.Count),
            IgnoreIndex = Options.IgnoreIndex, ImageChannels = Options.ImageChannels, MaskEncoding = Options.MaskEncoding,
        };
    }

    // Path columns become a lazily decoded file dataset; other formats are read into memory once.
    private ISegmentationDataset Read(IDataView data, DatasetDescription description, ColumnFormat imageFormat, ColumnFormat maskFormat, string what)
    {
        var imageColumn = data.Schema[Options.ImageColumnName];
        var maskColumn = data.Schema[Options.LabelColumnName];
        using var cursor = data.GetRowCursor([imageColumn, maskColumn]);
        if (imageFormat == ColumnFormat.Path && maskFormat == ColumnFormat.Path)
        {
            var images = cursor.GetGetter<ReadOnlyMemory<char>>(imageColumn);
            var masks = cursor.GetGetter<ReadOnlyMemory<char>>(maskColumn);
            var pairs = new List<SamplePaths>();
            ReadOnlyMemory<char> image = default, mask = default;
            while (cursor.MoveNext())
            {
                images(ref image);
                masks(ref mask);
                pairs.Add(new SamplePaths(Path.GetFileNameWithoutExtension(image.ToString()), image.ToString(), mask.ToString()));
            }
            return pairs.Count > 0 ? new PairedFileDataset(pairs, description) : throw new ArgumentException($"the {what} data has no rows");
        }
        var memory = new InMemorySegmentationDataset(description);
        try
        {
            var maskReader = new MaskReader(description.MaskOptions());
            var readImage = ColumnInputs.ImageReader(cursor, imageColumn, imageFormat, Options.ImageChannels, Options.PixelLayout);
            var readMask = ColumnInputs.MaskReader(cursor, maskColumn, maskFormat, maskReader);
            while (cursor.MoveNext())
            {
                var image = readImage();
                try
                {
                    var mask = readMask(image.size(1), image.size(2));
                    if (mask.size(0) != image.size(1) || mask.size(1) != image.size(2))
                    {
                        string message = $"{what} row {cursor.Position}: the image is {image.size(2)}x{image.size(1)} but the mask is {mask.size(1)}x{mask.size(0)}";
                        mask.Dispose();
                        throw new InvalidDataException(message);
                    }
                    memory.Add(image, mask, cursor.Position.ToString(CultureInfo.InvariantCulture));
                }
                catch
                {
                    image.Dispose();
                    throw;
                }
            }
            return memory.Count > 0 ? memory : throw new ArgumentException($"the {what} data has no rows");
        }
        catch
        {
            memory.Dispose();
            throw;
        }
    }

    // Epoch summaries go to the context's log; loss and mIoU to its progress channel.
    private sealed class ChannelProgress(IChannel channel, IProgressChannel progressChannel) : IProgress<TrainingProgress>
    {
        private TrainingProgress? _last;

        public ChannelProgress Start()
        {
            progressChannel.SetHeader(new ProgressHeader(["loss", "validation mIoU"], ["epoch", "step"]), entry =>
            {
                if (_last is not { } p) return;
                entry.SetProgress(0, p.Epoch - 1, p.Epochs);
                entry.SetProgress(1, p.Step, p.StepsPerEpoch);
                entry.SetMetric(0, p.Loss);
                if (p.Validation is { } v) entry.SetMetric(1, v.MeanIoU);
            });
            return this;
        }

        public void Report(TrainingProgress value)
        {
            if (_last is null) Start();
            _last = value;
            if (value.Kind != ProgressKind.EpochEnd) return;
            progressChannel.Checkpoint(value.Loss, value.Validation?.MeanIoU);
            channel.Info(MessageSensitivity.None, FormattableString.Invariant(
                $"epoch {value.Epoch}/{value.Epochs}: loss {value.Loss:F4}, lr {value.LearningRate:G3}, validation mIoU {value.Validation?.MeanIoU:F4}, {value.ImagesPerSecond:F1} images/s"));
        }
    }
}
