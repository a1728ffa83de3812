namespace MLNet.Segmentation.Metrics;

/// <summary>
/// Metrics derived from a K x K confusion matrix (rows = ground truth, columns = prediction), as pure functions.
/// <para>
/// NaN convention: a class absent from both the prediction and the target has NaN IoU, Dice, precision and recall,
/// and is left out of every mean. A class present in exactly one of them is scored, not skipped: its IoU and Dice
/// are 0, and the ratio whose denominator is empty (precision when it is never predicted, recall when it is absent
/// from the target) is 0, as scikit-learn with zero_division=0.
/// </para>
/// </summary>
public static class ConfusionMatrixMetrics
{
    /// <summary>Counted pixels (the sum of the matrix).</summary>
    public static long Total(long[,] matrix)
    {
        long total = 0;
        foreach (long count in Check(matrix)) total += count;
        return total;
    }

    /// <summary>Correct pixels / counted pixels (NaN when nothing was counted).</summary>
    public static double PixelAccuracy(long[,] matrix)
    {
        long total = Total(matrix), correct = 0;
        for (int c = 0; c < matrix.GetLength(0); c++) correct += matrix[c, c];
        return total == 0 ? double.NaN : (double)correct / total;
    }

    /// <summary>
    /// Mean over classes present in the target of TP / (TP + FN) (the FCN paper's mean accuracy; scikit-learn's
    /// balanced_accuracy_score). Classes absent from the target are left out. NaN when no class is present.
    /// </summary>
    public static double MeanClassAccuracy(long[,] matrix)
    {
        Check(matrix);
        int k = matrix.GetLength(0);
        double sum = 0;
        int present = 0;
        for (int c = 0; c < k; c++)
        {
            long row = RowSum(matrix, c);
            if (row == 0) continue;
            sum += (double)matrix[c, c] / row;
            present++;
        }
        return present == 0 ? double.NaN : sum / present;
    }

    /// <summary>Per-class intersection over union TP / (TP + FP + FN); NaN for a class absent from both.</summary>
    public static double[] IoU(long[,] matrix) => PerClass(matrix, (tp, fp, fn) => Ratio(tp, tp + fp + fn, tp + fp + fn));

    /// <summary>Per-class Dice = F1 = 2 TP / (2 TP + FP + FN); NaN for a class absent from both.</summary>
    public static double[] Dice(long[,] matrix) => PerClass(matrix, (tp, fp, fn) => Ratio(2 * tp, 2 * tp + fp + fn, tp + fp + fn));

    /// <summary>Per-class precision TP / (TP + FP); NaN for a class absent from both, 0 for a class never predicted.</summary>
    public static double[] Precision(long[,] matrix) => PerClass(matrix, (tp, fp, fn) => Ratio(tp, tp + fp, tp + fp + fn));

    /// <summary>Per-class recall (class accuracy) TP / (TP + FN); NaN for a class absent from both, 0 for a class absent from the target.</summary>
    public static double[] Recall(long[,] matrix) => PerClass(matrix, (tp, fp, fn) => Ratio(tp, tp + fn, tp + fp + fn));

    /// <summary>Macro mean IoU (mIoU): the mean of <see cref="IoU"/> over classes that are not NaN.</summary>
    public static double MeanIoU(long[,] matrix) => NanMean(IoU(matrix));

    /// <summary>Macro mean Dice: the mean of <see cref="Dice"/> over classes that are not NaN.</summary>
    public static double MeanDice(long[,] matrix) => NanMean(Dice(matrix));

    /// <summary>Frequency-weighted IoU: sum over classes of (target pixels of the class / counted pixels) x IoU.</summary>
    public static double FrequencyWeightedIoU(long[,] matrix)
    {
        long total = Total(matrix);
        if (total == 0) return double.NaN;
        var iou = IoU(matrix);
        double sum = 0;
        for (int c = 0; c < iou.Length; c++)
        {
            long row = RowSum(matrix, c);
            if (row > 0) sum += (double)row / total * iou[c];
        }
        return sum;
    }

    /// <summary>Micro IoU: sum TP / sum (TP + FP + FN) pooled over classes (NaN when nothing was counted).</summary>
    public static double MicroIoU(long[,] matrix)
    {
        var (tp, fp, fn) = Pooled(matrix);
        return tp + fp + fn == 0 ? double.NaN : (double)tp / (tp + fp + fn);
    }

    /// <summary>
    /// Micro Dice (= micro F1, precision and recall, which all equal the pixel accuracy when every counted pixel has
    /// one of the K classes): 2 sum TP / (2 sum TP + sum FP + sum FN).
    /// </summary>
    public static double MicroDice(long[,] matrix)
    {
        var (tp, fp, fn) = Pooled(matrix);
        return tp + fp + fn == 0 ? double.NaN : 2.0 * tp / (2.0 * tp + fp + fn);
    }

    /// <summary>The mean of the values that are not NaN (NaN when all are).</summary>
    public static double NanMean(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        double sum = 0;
        int count = 0;
        foreach (double v in values)
        {
            if (double.IsNaN(v)) continue;
            sum += v;
            count++;
        }
        return count == 0 ? double.NaN : sum / count;
    }

    private static double Ratio(long numerator, long denominator, long classPixels) =>
        classPixels == 0 ? double.NaN : denominator == 0 ? 0 : (double)numerator / denominator;

    private static double[] PerClass(long[,] matrix, Func<long, long, long, double> metric)
    {
        Check(matrix);
        int k = matrix.GetLength(0);
        var result = new double[k];
        for (int c = 0; c < k; c++)
        {
            long tp = matrix[c, c];
            long fn = RowSum(matrix, c) - tp;
            long fp = ColumnSum(matrix, c) - tp;
            result[c] = metric(tp, fp, fn);
        }
        return result;
    }

    private static (long Tp, long Fp, long Fn) Pooled(long[,] matrix)
    {
        long total = Total(matrix), tp = 0;
        for (int c = 0; c < matrix.GetLength(0); c++) tp += matrix[c, c];
        // Every error is a false positive of one class and a false negative of another.
        return (tp, total - tp, total - tp);
    }

    internal static long RowSum(long[,] matrix, int row)
    {
        long sum = 0;
        for (int c = 0; c < matrix.GetLength(1); c++) sum += matrix[row, c];
        return sum;
    }

    internal static long ColumnSum(long[,] matrix, int column)
    {
        long sum = 0;
        for (int r = 0; r < matrix.GetLength(0); r++) sum += matrix[r, column];
        return sum;
    }

    private static long[,] Check(long[,] matrix)
    {
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.GetLength(0) != matrix.GetLength(1))
            throw new ArgumentException($"a confusion matrix must be square, got {matrix.GetLength(0)}x{matrix.GetLength(1)}", nameof(matrix));
        return matrix;
    }
}
