using MLNet.Segmentation.Metrics;
using MLNet.Segmentation.Metrics.Evaluation;

namespace MLNet.Segmentation.MLNetIntegration;

/// <summary>
/// The result of <c>mlContext.Segmentation().Evaluate</c>, shaped like ML.NET's <c>MulticlassClassificationMetrics</c>:
/// summary metrics as properties, per-class lists indexed by class id, and the pixel <see cref="ConfusionMatrix"/>.
/// Every metric is over the pixels of all rows together (ignored pixels left out); a class absent from both truth and
/// prediction has NaN per-class values and is left out of the means.
/// </summary>
public sealed class SemanticSegmentationMetrics
{
    internal SemanticSegmentationMetrics(MaskEvaluation evaluation, IReadOnlyList<string> classNames)
    {
        Details = evaluation;
        var m = evaluation.Metrics;
        ClassNames = classNames;
        (PixelAccuracy, MeanAccuracy, MeanIoU, FrequencyWeightedIoU) = (m.PixelAccuracy, m.MeanClassAccuracy, m.MeanIoU, m.FrequencyWeightedIoU);
        (MeanDice, MacroPrecision, MacroRecall, MicroIoU) = (m.MeanDice, m.MacroPrecision, m.MacroRecall, m.MicroIoU);
        (PerClassIoU, PerClassDice, PerClassPrecision, PerClassRecall) = (m.IoU, m.Dice, m.Precision, m.Recall);
        (PerClassHausdorff, PerClassHausdorff95) = (evaluation.Hausdorff, evaluation.Hausdorff95);
        NumberOfPixels = m.TotalPixels;
        NumberOfRows = evaluation.Files.Count;
        ConfusionMatrix = new PixelConfusionMatrix(m.Matrix, classNames, m.Precision, m.Recall);
    }

    /// <summary>Correct pixels / counted pixels (ML.NET's MicroAccuracy over pixels).</summary>
    public double PixelAccuracy { get; }

    /// <summary>Mean over classes present in the truth of the per-class accuracy (recall); ML.NET's MacroAccuracy over pixels.</summary>
    public double MeanAccuracy { get; }

    /// <summary>Mean intersection over union of the classes (mIoU).</summary>
    public double MeanIoU { get; }

    /// <summary>IoU of each class weighted by its pixel frequency in the truth.</summary>
    public double FrequencyWeightedIoU { get; }

    /// <summary>Mean Dice (F1) of the classes.</summary>
    public double MeanDice { get; }

    /// <summary>Mean precision of the classes.</summary>
    public double MacroPrecision { get; }

    /// <summary>Mean recall of the classes (equals <see cref="MeanAccuracy"/> where every predicted class is present).</summary>
    public double MacroRecall { get; }

    /// <summary>IoU pooled over classes.</summary>
    public double MicroIoU { get; }

    /// <summary>IoU of each class.</summary>
    public IReadOnlyList<double> PerClassIoU { get; }

    /// <summary>Dice (F1) of each class.</summary>
    public IReadOnlyList<double> PerClassDice { get; }

    /// <summary>Precision of each class.</summary>
    public IReadOnlyList<double> PerClassPrecision { get; }

    /// <summary>Recall (accuracy) of each class.</summary>
    public IReadOnlyList<double> PerClassRecall { get; }

    /// <summary>Hausdorff distance of each class in pixels, averaged over the rows where it is finite (see <see cref="MaskEvaluation.Hausdorff"/>).</summary>
    public IReadOnlyList<double> PerClassHausdorff { get; }

    /// <summary>95th-percentile Hausdorff distance of each class, averaged like <see cref="PerClassHausdorff"/>.</summary>
    public IReadOnlyList<double> PerClassHausdorff95 { get; }

    /// <summary>The class names, by id (from the model's PredictedLabel annotation, or "class N").</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>Counted pixels.</summary>
    public long NumberOfPixels { get; }

    /// <summary>Rows (images) evaluated.</summary>
    public int NumberOfRows { get; }

    /// <summary>The pixel confusion matrix (rows = truth), with <see cref="PixelConfusionMatrix.GetFormattedConfusionTable"/>.</summary>
    public PixelConfusionMatrix ConfusionMatrix { get; }

    /// <summary>The library's evaluation these metrics come from (also <see cref="MaskEvaluation.ToJson"/>).</summary>
    public MaskEvaluation Details { get; }

    /// <summary>The per-class table (IoU, Dice, precision, recall, HD, HD95) and the summary metrics.</summary>
    public string ToTable() => MetricsTable.Format(Details.Metrics, Details.Hausdorff, Details.Hausdorff95, ClassNames);

    /// <inheritdoc />
    public override string ToString() => FormattableString.Invariant(
        $"pixel accuracy {PixelAccuracy:F4}, mean accuracy {MeanAccuracy:F4}, mIoU {MeanIoU:F4}, FWIoU {FrequencyWeightedIoU:F4} over {NumberOfRows} rows");
}
