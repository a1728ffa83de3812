using System.Globalization;
using System.Text;

namespace MLNet.Segmentation.Metrics;

/// <summary>A fixed-width per-class table of metrics for the console.</summary>
public static class MetricsTable
{
    /// <summary>
    /// One row per class (IoU, Dice, precision, recall and, when given, HD and HD95) followed by the summary metrics.
    /// NaN prints as "-", +infinity as "inf".
    /// </summary>
    public static string Format(SegmentationMetrics metrics, IReadOnlyList<double>? hausdorff = null,
        IReadOnlyList<double>? hausdorff95 = null, IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        int k = metrics.NumClasses;
        var names = Enumerable.Range(0, k).Select(c => classNames is not null && c < classNames.Count ? classNames[c] : c.ToString(CultureInfo.InvariantCulture)).ToArray();
        int nameWidth = Math.Max(5, names.Max(n => n.Length));
        bool distances = hausdorff is not null && hausdorff95 is not null;

        var text = new StringBuilder();
        text.Append("class".PadRight(nameWidth));
        foreach (string header in distances ? ["IoU", "Dice", "Prec", "Recall", "HD", "HD95"] : new[] { "IoU", "Dice", "Prec", "Recall" })
            text.Append(' ').Append(header.PadLeft(9));
        text.AppendLine();
        for (int c = 0; c < k; c++)
        {
            text.Append(names[c].PadRight(nameWidth));
            foreach (double v in new[] { metrics.IoU[c], metrics.Dice[c], metrics.Precision[c], metrics.Recall[c] })
                text.Append(' ').Append(Number(v).PadLeft(9));
            if (distances)
            {
                text.Append(' ').Append(Number(hausdorff![c]).PadLeft(9));
                text.Append(' ').Append(Number(hausdorff95![c]).PadLeft(9));
            }
            text.AppendLine();
        }
        text.AppendLine();
        text.AppendLine($"pixel accuracy       {Number(metrics.PixelAccuracy)}");
        text.AppendLine($"mean class accuracy  {Number(metrics.MeanClassAccuracy)}");
        text.AppendLine($"mIoU                 {Number(metrics.MeanIoU)}");
        text.AppendLine($"frequency-weighted   {Number(metrics.FrequencyWeightedIoU)}");
        text.AppendLine($"mean Dice            {Number(metrics.MeanDice)}");
        return text.ToString();
    }

    private static string Number(double value) =>
        double.IsNaN(value) ? "-" : double.IsPositiveInfinity(value) ? "inf" : value.ToString("0.0000", CultureInfo.InvariantCulture);
}
