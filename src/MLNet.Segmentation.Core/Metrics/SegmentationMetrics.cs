namespace MLNet.Segmentation.Metrics;

/// <summary>
/// Every metric derived from one confusion matrix (rows = ground truth). Per-class arrays are indexed by class id;
/// see <see cref="ConfusionMatrixMetrics"/> for the NaN convention (a class absent from both prediction and target
/// is NaN and left out of the means).
/// </summary>
public sealed class SegmentationMetrics
{
    /// <summary>Computes all metrics of <paramref name="matrix"/> (the matrix is copied).</summary>
    public SegmentationMetrics(long[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        Matrix = (long[,])matrix.Clone();
        PixelAccuracy = ConfusionMatrixMetrics.PixelAccuracy(Matrix);
        MeanClassAccuracy = ConfusionMatrixMetrics.MeanClassAccuracy(Matrix);
        IoU = ConfusionMatrixMetrics.IoU(Matrix);
        Dice = ConfusionMatrixMetrics.Dice(Matrix);
        Precision = ConfusionMatrixMetrics.Precision(Matrix);
        Recall = ConfusionMatrixMetrics.Recall(Matrix);
        MeanIoU = ConfusionMatrixMetrics.NanMean(IoU);
        MeanDice = ConfusionMatrixMetrics.NanMean(Dice);
        MacroPrecision = ConfusionMatrixMetrics.NanMean(Precision);
        MacroRecall = ConfusionMatrixMetrics.NanMean(Recall);
        FrequencyWeightedIoU = ConfusionMatrixMetrics.FrequencyWeightedIoU(Matrix);
        MicroIoU = ConfusionMatrixMetrics.MicroIoU(Matrix);
        MicroDice = ConfusionMatrixMetrics.MicroDice(Matrix);
    }

    /// <summary>The confusion matrix, rows = ground truth, columns = prediction.</summary>
    public long[,] Matrix { get; }

    /// <summary>The number of classes K.</summary>
    public int NumClasses => Matrix.GetLength(0);

    /// <summary>Counted (non-ignored) pixels.</summary>
    public long TotalPixels => ConfusionMatrixMetrics.Total(Matrix);

    /// <summary>Correct pixels / counted pixels.</summary>
    public double PixelAccuracy { get; }

    /// <summary>Mean recall over classes present in the target (FCN mean accuracy).</summary>
    public double MeanClassAccuracy { get; }

    /// <summary>Per-class IoU.</summary>
    public double[] IoU { get; }

    /// <summary>Per-class Dice (= F1).</summary>
    public double[] Dice { get; }

    /// <summary>Per-class precision.</summary>
    public double[] Precision { get; }

    /// <summary>Per-class recall (= per-class accuracy).</summary>
    public double[] Recall { get; }

    /// <summary>Macro mean IoU over non-NaN classes (mIoU).</summary>
    public double MeanIoU { get; }

    /// <summary>Macro mean Dice over non-NaN classes.</summary>
    public double MeanDice { get; }

    /// <summary>Macro mean precision over non-NaN classes.</summary>
    public double MacroPrecision { get; }

    /// <summary>Macro mean recall over non-NaN classes.</summary>
    public double MacroRecall { get; }

    /// <summary>Frequency-weighted IoU.</summary>
    public double FrequencyWeightedIoU { get; }

    /// <summary>Micro IoU, pooled over classes.</summary>
    public double MicroIoU { get; }

    /// <summary>Micro Dice (= micro F1), pooled over classes.</summary>
    public double MicroDice { get; }
}
