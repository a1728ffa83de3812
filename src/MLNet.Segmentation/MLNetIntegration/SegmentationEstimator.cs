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
        // libtorch loaded and MLSEG_NUM_THREADS applied before any step decodes into tensors.
        Engine.TorchRuntime.EnsureInitialized();
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
        var image = ColumnInputs.Find(inputSchema, "image", Options.ImageColumnName);
        var (format, _) = CheckFormats(image, FindLabel(inputSchema));
        // Images of a known size (ResizeImages, a PixelLayout) give outputs of a known size, as the fitted transformer does.
        var size = format == ColumnFormat.Pixels ? (Options.PixelLayout!.Height, Options.PixelLayout.Width) : image.Size;
        var result = SchemaShapes.With(inputSchema, Options.PredictedLabelColumnName, size is { } s
            ? new VectorDataViewType(NumberDataViewType.UInt32, s.Height, s.Width) : new VectorDataViewType(NumberDataViewType.UInt32));
        if (Options.ScoreColumnName is not { } score) return result;
        return SchemaShapes.With(result, score, size is { } t
            ? new VectorDataViewType(NumberDataViewType.Single, Options.NumberOfClasses, t.Height, t.Width) : new VectorDataViewType(NumberDataViewType.Single));
    }

    /// <inheritdoc />
    public SegmentationTransformer Fit(IDataView input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var augmentation = Unwrap(ref input);
        CheckFormats(ColumnInputs.Find(input.Schema, "image", Options.ImageColumnName), FindLabel(input.Schema));
        var host = _environment.Register($"Segmentation.{Architecture}");
        int seed = host.Rand.Next();
        var device = ResolveDevice();
        var description = Description();
        // Every label is read and checked (ids, sizes) here, before the first training step.
        var train = Read(input, description, "training data");
        ISegmentationDataset? validation = null;
        try
        {
            if (Options.ValidationSet is { } validationSet)
            {
                CheckFormats(ColumnInputs.Find(validationSet.Schema, "validation set's image", Options.ImageColumnName),
                    ColumnInputs.Find(validationSet.Schema, "validation set's label", Options.LabelColumnName));
                validation = Read(validationSet, description, "validation set");
            }
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
            var created = ModelCatalog.Create(Architecture, new ModelBuildSettings(Options.NumberOfClasses, Options.ImageChannels, Options.WidthDivisor, Options.OutputStride));
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
                    var progress = new ChannelProgress(channel, progressChannel, Options.Progress);
                    trainer.Fit(trainLoader, validationLoader, progress, cancellationToken: Options.CancellationToken);
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

    /// <summary>
    /// Reads <paramref name="data"/> (named <paramref name="what"/> in messages) as a dataset with every label checked, as
    /// <see cref="Fit"/> reads its input; the caller disposes it when it is IDisposable. Used by experiments.
    /// </summary>
    internal ISegmentationDataset ReadDataset(IDataView data, string what)
    {
        CheckColumns(data, what);
        return Read(data, Description(), what);
    }

    /// <summary>Checks that <paramref name="data"/> has image and label columns this trainer reads (named <paramref name="what"/> in messages).</summary>
    internal void CheckColumns(IDataView data, string what)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data is AugmentedDataView)
            throw new ArgumentException($"the {what} comes from Transforms.Augment; an experiment chooses augmentation from its search space, so pass the data without it");
        CheckFormats(ColumnInputs.Find(data.Schema, $"{what}'s image", Options.ImageColumnName), ColumnInputs.Find(data.Schema, $"{what}'s label", Options.LabelColumnName));
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

    private ColumnInputs.ColumnInfo FindLabel(SchemaShape schema) =>
        schema.FirstOrDefault(c => c.Name == Options.LabelColumnName) is { Name: not null } column ? ColumnInputs.ColumnInfo.From(column) : throw MissingLabel();

    private ColumnInputs.ColumnInfo FindLabel(DataViewSchema schema) =>
        schema.GetColumnOrNull(Options.LabelColumnName) is { } column ? ColumnInputs.ColumnInfo.From(column) : throw MissingLabel();

    private ArgumentOutOfRangeException MissingLabel() => new("inputSchema", $"Could not find label column '{Options.LabelColumnName}' " +
        "(Segmentation().Transforms.LoadMasks and ResizeMasks add nothing when their input column is absent: check its name)");

    private (ColumnFormat Image, ColumnFormat Mask) CheckFormats(ColumnInputs.ColumnInfo image, ColumnInputs.ColumnInfo label)
    {
        var imageFormat = ColumnInputs.ImageFormat(image);
        if (imageFormat == ColumnFormat.Pixels && Options.PixelLayout is null)
            throw SchemaErrors.Mismatch("image", image.Name, "String, Image (MLImage) or Vector<Byte>, or Vector<Single> with options.PixelLayout set", image.TypeText);
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

    // Path columns become a lazily decoded file dataset (each mask decoded once here to check it); other formats are read
    // into memory once. Errors name the data, column, row and value.
    private ISegmentationDataset Read(IDataView data, DatasetDescription description, string what)
    {
        var imageColumn = data.Schema[Options.ImageColumnName];
        var maskColumn = data.Schema[Options.LabelColumnName];
        using var cursor = data.GetRowCursor([imageColumn, maskColumn]);
        var masks = new MaskColumnReader(cursor, maskColumn, description.MaskOptions());
        try
        {
            if (ColumnInputs.ImageFormat(ColumnInputs.ColumnInfo.From(imageColumn)) == ColumnFormat.Path && masks.Format == ColumnFormat.Path)
                return ReadPaths(cursor, imageColumn, maskColumn, masks, description, what);
            var memory = new InMemorySegmentationDataset(description);
            try
            {
                var images = new ImageColumnReader(cursor, imageColumn, Options.ImageChannels, Options.PixelLayout);
                while (cursor.MoveNext())
                {
                    Options.CancellationToken.ThrowIfCancellationRequested();
                    var image = images.Read();
                    try
                    {
                        int height = (int)image.size(1), width = (int)image.size(2);
                        var mask = masks.Read(height, width);
                        CheckSize(cursor.Position, width, height, mask);
                        memory.Add(image, TensorData.FromArray(mask.Ids, height, width), cursor.Position.ToString(CultureInfo.InvariantCulture));
                    }
                    catch
                    {
                        image.Dispose();
                        throw;
                    }
                }
                return memory.Count > 0 ? memory : throw new ArgumentException($"the {what} has no rows");
            }
            catch
            {
                memory.Dispose();
                throw;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{what}: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new FileNotFoundException($"{what}: {e.Message}", e.FileName, e);
        }
    }

    private PairedFileDataset ReadPaths(DataViewRowCursor cursor, DataViewSchema.Column imageColumn, DataViewSchema.Column maskColumn,
        MaskColumnReader masks, DatasetDescription description, string what)
    {
        var images = cursor.GetGetter<ReadOnlyMemory<char>>(imageColumn);
        var maskPaths = cursor.GetGetter<ReadOnlyMemory<char>>(maskColumn);
        var pairs = new List<SamplePaths>();
        ReadOnlyMemory<char> image = default, maskPath = default;
        while (cursor.MoveNext())
        {
            Options.CancellationToken.ThrowIfCancellationRequested();
            images(ref image);
            maskPaths(ref maskPath);
            string imagePath = image.ToString();
            var mask = masks.Read();
            int width, height;
            try
            {
                if (!File.Exists(imagePath)) throw new FileNotFoundException($"{imagePath}: image file not found", imagePath);
                var probe = ImageDecoder.Probe(File.ReadAllBytes(imagePath), imagePath);
                (width, height) = (probe.Width, probe.Height);
            }
            catch (Exception e) when (e is InvalidDataException or FileNotFoundException)
            {
                throw new InvalidDataException($"image column '{imageColumn.Name}', row {cursor.Position}: {e.Message}", e);
            }
            CheckSize(cursor.Position, width, height, mask);
            pairs.Add(new SamplePaths(Path.GetFileNameWithoutExtension(imagePath), imagePath, maskPath.ToString()));
        }
        return pairs.Count > 0 ? new PairedFileDataset(pairs, description) : throw new ArgumentException($"the {what} has no rows");
    }

    private void CheckSize(long row, int width, int height, MaskIds mask)
    {
        if (mask.Width == width && mask.Height == height) return;
        throw new InvalidDataException($"row {row}: the image '{Options.ImageColumnName}' is {width}x{height} but the mask '{Options.LabelColumnName}' is " +
                                       $"{mask.Width}x{mask.Height}; give both one size: ml.Transforms.ResizeImages for the image and " +
                                       "mlContext.Segmentation().Transforms.ResizeMasks (nearest neighbour, same resizing) for the mask");
    }
}
