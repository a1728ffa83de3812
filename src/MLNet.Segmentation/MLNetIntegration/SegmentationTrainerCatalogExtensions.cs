using Microsoft.ML;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// The segmentation trainers, on <c>mlContext.Segmentation().Trainers</c>. Each has a column-names overload (defaults elsewhere) and an <see cref="SegmentationTrainerOptions"/> overload.
/// </summary>
public static class SegmentationTrainerCatalogExtensions
{
    /// <summary>U-Net (depth 4, transposed-conv upsampling).</summary>
    public static SegmentationEstimator UNet(this SegmentationTrainers catalog, SegmentationTrainerOptions options) => Create(catalog, "unet", options);

    /// <summary>U-Net from column names.</summary>
    public static SegmentationEstimator UNet(this SegmentationTrainers catalog, int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        catalog.UNet(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>SegNet (VGG-16-BN encoder, max-unpooling decoder).</summary>
    public static SegmentationEstimator SegNet(this SegmentationTrainers catalog, SegmentationTrainerOptions options) => Create(catalog, "segnet", options);

    /// <summary>SegNet from column names.</summary>
    public static SegmentationEstimator SegNet(this SegmentationTrainers catalog, int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        catalog.SegNet(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>FCN-8s.</summary>
    public static SegmentationEstimator Fcn8s(this SegmentationTrainers catalog, SegmentationTrainerOptions options) => Create(catalog, "fcn-8s", options);

    /// <summary>FCN-8s from column names.</summary>
    public static SegmentationEstimator Fcn8s(this SegmentationTrainers catalog, int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        catalog.Fcn8s(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>FCN-16s.</summary>
    public static SegmentationEstimator Fcn16s(this SegmentationTrainers catalog, SegmentationTrainerOptions options) => Create(catalog, "fcn-16s", options);

    /// <summary>FCN-16s from column names.</summary>
    public static SegmentationEstimator Fcn16s(this SegmentationTrainers catalog, int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        catalog.Fcn16s(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>FCN-32s.</summary>
    public static SegmentationEstimator Fcn32s(this SegmentationTrainers catalog, SegmentationTrainerOptions options) => Create(catalog, "fcn-32s", options);

    /// <summary>FCN-32s from column names.</summary>
    public static SegmentationEstimator Fcn32s(this SegmentationTrainers catalog, int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        catalog.Fcn32s(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>DeconvNet.</summary>
    public static SegmentationEstimator DeconvNet(this SegmentationTrainers catalog, SegmentationTrainerOptions options) => Create(catalog, "deconvnet", options);

    /// <summary>DeconvNet from column names.</summary>
    public static SegmentationEstimator DeconvNet(this SegmentationTrainers catalog, int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        catalog.DeconvNet(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>DeepLab v3 on a ResNet (options.BackboneDepth).</summary>
    public static SegmentationEstimator DeepLabV3(this SegmentationTrainers catalog, SegmentationTrainerOptions options) => Create(catalog, $"deeplabv3-resnet{options?.BackboneDepth}", options!);

    /// <summary>DeepLab v3 from column names (ResNet-50).</summary>
    public static SegmentationEstimator DeepLabV3(this SegmentationTrainers catalog, int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        catalog.DeepLabV3(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    /// <summary>DeepLab v3+ on a ResNet (options.BackboneDepth).</summary>
    public static SegmentationEstimator DeepLabV3Plus(this SegmentationTrainers catalog, SegmentationTrainerOptions options) => Create(catalog, $"deeplabv3plus-resnet{options?.BackboneDepth}", options!);

    /// <summary>DeepLab v3+ from column names (ResNet-50).</summary>
    public static SegmentationEstimator DeepLabV3Plus(this SegmentationTrainers catalog, int numberOfClasses, string labelColumnName = "Label", string imageColumnName = "Image",
        string predictedLabelColumnName = "PredictedLabel", int numberOfEpochs = 10, int batchSize = 4, IDataView? validationSet = null) =>
        catalog.DeepLabV3Plus(Options(numberOfClasses, labelColumnName, imageColumnName, predictedLabelColumnName, numberOfEpochs, batchSize, validationSet));

    private static SegmentationEstimator Create(SegmentationTrainers catalog, string architecture, SegmentationTrainerOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        return new SegmentationEstimator(catalog.Context, architecture, options);
    }

    private static SegmentationTrainerOptions Options(int classes, string label, string image, string predicted, int epochs, int batch, IDataView? validation) =>
        new()
        {
            NumberOfClasses = classes, LabelColumnName = label, ImageColumnName = image, PredictedLabelColumnName = predicted,
            NumberOfEpochs = epochs, BatchSize = batch, ValidationSet = validation,
        };
}
