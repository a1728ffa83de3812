using Microsoft.ML;
using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>The entry point: <c>mlContext.Segmentation()</c>.</summary>
public static class SegmentationCatalogExtensions
{
    /// <summary>Semantic segmentation trainers, transforms, evaluation and model files for <paramref name="mlContext"/>.</summary>
    public static SegmentationCatalog Segmentation(this MLContext mlContext) => new(mlContext ?? throw new ArgumentNullException(nameof(mlContext)));
}

/// <summary>
/// Semantic segmentation for ML.NET: column transforms and evaluation (this assembly, no TorchSharp), trainers per
/// architecture and save/load of pipelines with networks (extension methods of the MLNet.Segmentation package), and
/// ONNX scoring (MLNet.Segmentation.Onnx).
/// </summary>
public sealed class SegmentationCatalog
{
    internal SegmentationCatalog(MLContext context)
    {
        MLImages.RegisterType();
        Context = context;
        Trainers = new SegmentationTrainers(context);
        Transforms = new SegmentationTransforms(context);
    }

    /// <summary>The owning context.</summary>
    public MLContext Context { get; }

    /// <summary>One trainer per architecture (extension methods of the MLNet.Segmentation package).</summary>
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
}

/// <summary>
/// The segmentation trainers: each architecture's trainer is an extension method from the package that holds it
/// (MLNet.Segmentation: <c>UNet</c>, <c>SegNet</c>, <c>Fcn8s</c>, ...), as ML.NET's trainer catalogs are extended.
/// </summary>
public sealed class SegmentationTrainers
{
    internal SegmentationTrainers(MLContext context) => Context = context;

    /// <summary>The owning context.</summary>
    public MLContext Context { get; }
}
