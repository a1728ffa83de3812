using Microsoft.ML;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Experiments;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>Experiments (hyperparameter sweeps) on <c>mlContext.Segmentation()</c>, and the trainer of one trial's parameters.</summary>
public static class SegmentationExperimentExtensions
{
    /// <summary>
    /// A sweep over <paramref name="options"/>' search space, training on <paramref name="trainData"/> and ranking
    /// trials on <paramref name="validationData"/> (same columns); call <see cref="SegmentationExperiment.Run"/>.
    /// </summary>
    public static SegmentationExperiment Experiment(this SegmentationCatalog catalog, IDataView trainData, IDataView validationData,
        SegmentationExperimentOptions options)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        return new SegmentationExperiment(catalog.Context, trainData, validationData, options);
    }

    /// <summary>
    /// The trainer of one trial's <paramref name="parameters"/>: <paramref name="options"/> (columns, classes, epochs,
    /// validation set) with the trial's architecture, loss, optimizer, learning rate, weight decay, batch size, width,
    /// crop and augmentation. This is the shape of an AutoML sweepable estimator's factory (parameters in, estimator
    /// out). <paramref name="classWeights"/> are needed when the trial weights classes.
    /// </summary>
    public static SegmentationEstimator Trial(this SegmentationTrainers catalog, TrialParameters parameters, SegmentationTrainerOptions options,
        IReadOnlyList<double>? classWeights = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(options);
        var p = parameters.Normalized();
        var names = options.ClassNames ?? Enumerable.Range(0, options.NumberOfClasses).Select(i => $"class {i}").ToArray();
        var description = new DatasetDescription
        {
            Name = "mlnet", ClassNames = names, Colors = DatasetDescription.DefaultColors(names.Count), IgnoreIndex = options.IgnoreIndex,
            ImageChannels = options.ImageChannels,
        };
        var trial = options.Clone();
        trial.Loss = TrialComponents.Loss(p, TrialComponents.LossIgnoreIndex(p, description), classWeights);
        trial.Augmentation = TrialComponents.Augmentation(p, description);
        trial.Optimizer = p.Optimizer;
        trial.LearningRate = p.LearningRate;
        trial.WeightDecay = p.WeightDecay;
        trial.BatchSize = p.BatchSize;
        trial.WidthDivisor = p.WidthDivisor;
        trial.BackboneDepth = p.BackboneDepth;
        trial.OutputStride = p.OutputStride ?? 16;
        return new SegmentationEstimator(catalog.Context, p.CatalogName, trial);
    }
}
