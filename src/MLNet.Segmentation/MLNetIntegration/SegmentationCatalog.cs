using Microsoft.ML;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>The entry point: <c>mlContext.Segmentation()</c>.</summary>
public static class SegmentationCatalogExtensions
{
    /// <summary>Semantic segmentation trainers, transforms, evaluation and model files for <paramref name="mlContext"/>.</summary>
    public static SegmentationCatalog Segmentation(this MLContext mlContext) => new(mlContext ?? throw new ArgumentNullException(nameof(mlContext)));
}

/// <summary>Semantic segmentation for ML.NET: trainers per architecture, column transforms, evaluation, save and load.</summary>
public sealed class SegmentationCatalog
{
    internal SegmentationCatalog(MLContext context)
    {
        // libtorch loaded and MLSEG_NUM_THREADS applied before any step decodes into tensors.
        Engine.TorchRuntime.EnsureInitialized();
        MLImages.RegisterType();
        Context = context;
        Trainers = new SegmentationTrainers(context);
        Transforms = new SegmentationTransforms(context);
    }

    /// <summary>The owning context.</summary>
    public MLContext Context { get; }

    /// <summary>One trainer per architecture.</summary>
    public SegmentationTrainers Trainers { get; }

    /// <summary>Mask and image loading and normalization as estimators.</summary>
    public SegmentationTransforms Transforms { get; }

    /// <summary>
    /// Evaluates predicted class-id masks (<paramref name="predictedLabelColumnName"/>, Vector&lt;UInt32&gt;, as scored by a
    /// segmentation trainer's model) against ground truth (<paramref name="labelColumnName"/>: ids from LoadMasks/ResizeMasks,
    /// a mask path, PNG bytes, a gray MLImage or a class-id vector), like ML.NET's evaluators: pixel accuracy, mean accuracy,
    /// mIoU, FWIoU, per-class IoU/Dice/precision/recall/Hausdorff and the confusion matrix. The number of classes and
    /// their names come from the model's PredictedLabel column unless given. Class-id vectors of unknown size need
    /// <paramref name="height"/> and <paramref name="width"/>.
    /// </summary>
    public SemanticSegmentationMetrics Evaluate(IDataView data, string labelColumnName = "Label", string predictedLabelColumnName = "PredictedLabel",
        int? numberOfClasses = null, long? ignoreIndex = null, MaskEncoding maskEncoding = MaskEncoding.Auto, int? height = null, int? width = null) =>
        SegmentationEvaluator.Evaluate(data, labelColumnName, predictedLabelColumnName, numberOfClasses, ignoreIndex, maskEncoding, height, width);

    /// <summary>
    /// Saves a fitted pipeline that contains segmentation transformers: the ML.NET parts through
    /// <c>mlContext.Model.Save</c>, the networks as model files, in one zip written atomically. The stored input schema is
    /// the scoring schema: <paramref name="inputSchema"/> less the columns scoring does not need (such as the mask path).
    /// </summary>
    public void SaveModel(ITransformer model, DataViewSchema inputSchema, string path) =>
        SegmentationModelStore.Save(Context, model, inputSchema, path);

    /// <summary>Loads a pipeline saved by <see cref="SaveModel"/> and returns it with its input schema.</summary>
    public ITransformer LoadModel(string path, out DataViewSchema inputSchema) =>
        SegmentationModelStore.Load(Context, path, out inputSchema);
}

/// <summary>
/// The segmentation trainers. Each has a column-names overload (defaults elsewhere) and an <see cref="SegmentationTrainerOptions"/> overload.
/// </summary>
public sealed class SegmentationTrainers
{
    private readonly MLContext _context;

    internal SegmentationTrainers(MLContext context) => _context = context;

    /// <summary>U-Net (depth 4, transposed-conv upsampling).</summary>
    public SegmentationEstimator UNet(SegmentationTrainerOptions options) => Create("unet", options);

    /// <summary>U-Net from column names.</summary>
    public SegmentationEstimator UNet(int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        UNet(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>SegNet (VGG-16-BN encoder, max-unpooling decoder).</summary>
    public SegmentationEstimator SegNet(SegmentationTrainerOptions options) => Create("segnet", options);

    /// <summary>SegNet from column names.</summary>
    public SegmentationEstimator SegNet(int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        SegNet(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>FCN-8s.</summary>
    public SegmentationEstimator Fcn8s(SegmentationTrainerOptions options) => Create("fcn-8s", options);

    /// <summary>FCN-8s from column names.</summary>
    public SegmentationEstimator Fcn8s(int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        Fcn8s(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>FCN-16s.</summary>
    public SegmentationEstimator Fcn16s(SegmentationTrainerOptions options) => Create("fcn-16s", options);

    /// <summary>FCN-16s from column names.</summary>
    public SegmentationEstimator Fcn16s(int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        Fcn16s(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>FCN-32s.</summary>
    public SegmentationEstimator Fcn32s(SegmentationTrainerOptions options) => Create("fcn-32s", options);

    /// <summary>FCN-32s from column names.</summary>
    public SegmentationEstimator Fcn32s(int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        Fcn32s(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>DeconvNet.</summary>
    public SegmentationEstimator DeconvNet(SegmentationTrainerOptions options) => Create("deconvnet", options);

    /// <summary>DeconvNet from column names.</summary>
    public SegmentationEstimator DeconvNet(int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        DeconvNet(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>DeepLab v3 on a ResNet (options.BackboneDepth).</summary>
    public SegmentationEstimator DeepLabV3(SegmentationTrainerOptions options) => Create($"deeplabv3-resnet{options?.BackboneDepth}", options!);

    /// <summary>DeepLab v3 from column names (ResNet-50).</summary>
    public SegmentationEstimator DeepLabV3(int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        DeepLabV3(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>DeepLab v3+ on a ResNet (options.BackboneDepth).</summary>
    public SegmentationEstimator DeepLabV3Plus(SegmentationTrainerOptions options) => Create($"deeplabv3plus-resnet{options?.BackboneDepth}", options!);

    /// <summary>DeepLab v3+ from column names (ResNet-50).</summary>
    public SegmentationEstimator DeepLabV3Plus(int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        DeepLabV3Plus(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    private SegmentationEstimator Create(string architecture, SegmentationTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new SegmentationEstimator(_context, architecture, options);
    }

    private static SegmentationTrainerOptions Options(int classes, string label, string image, string predicted, int epochs, int batch, IDataView? validation) =>
        new()
        {
            NumberOfClasses = classes, LabelColumnName = label, ImageColumnName = image, PredictedLabelColumnName = predicted,
            NumberOfEpochs = epochs, BatchSize = batch, ValidationSet = validation,
        };
}
