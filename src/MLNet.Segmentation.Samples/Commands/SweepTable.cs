using System.Globalization;
using MLNet.Segmentation.Experiments;
using Spectre.Console;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>The trial table of `mlseg sweep`: one row per trial, the best one marked, parameters in their own columns.</summary>
internal static class SweepTable
{
    /// <summary>The table of <paramref name="result"/>.</summary>
    public static Table Build(SweepResult result)
    {
        string metric = SweepReport.MetricName(result.Metric);
        var table = new Table().Border(TableBorder.Rounded);
        table.AddColumn(new TableColumn("trial").RightAligned()).AddColumn(new TableColumn("status").NoWrap());
        foreach (string column in result.Metric == SweepMetric.MeanIoU ? new[] { "mIoU", "pixel acc" } : [metric, "mIoU"])
            table.AddColumn(new TableColumn(column).RightAligned());
        table.AddColumn(new TableColumn("epochs").RightAligned()).AddColumn(new TableColumn("s").RightAligned());
        table.AddColumn(new TableColumn("architecture").NoWrap());
        foreach (string column in new[] { "loss", "optimizer", "lr", "wd", "batch", "crop", "aug", "error" })
            table.AddColumn(new TableColumn(column));
        foreach (var t in result.Trials)
        {
            var p = t.Parameters;
            string first = t.Trial == result.BestTrial ? $"*{t.Trial}" : t.Trial.ToString(CultureInfo.InvariantCulture);
            var (a, b) = result.Metric == SweepMetric.MeanIoU ? (t.MeanIoU, t.PixelAccuracy) : (t.Score, t.MeanIoU);
            table.AddRow(
                first, SweepReport.StatusText(t.Status), F(a), F(b), t.Epochs.ToString(CultureInfo.InvariantCulture), F(t.Seconds, "0.0"),
                Markup.Escape((p.IsDeepLab ? $"{p.CatalogName} os{p.OutputStride}" : p.Architecture) + $" /{p.WidthDivisor}"),
                Markup.Escape(SweepJson.Name(p.Loss) + (p.ClassWeights ? " w" : "")), SweepJson.Name(p.Optimizer),
                p.LearningRate.ToString("0.0e+0", CultureInfo.InvariantCulture), p.WeightDecay.ToString("0.0e+0", CultureInfo.InvariantCulture),
                p.BatchSize.ToString(CultureInfo.InvariantCulture), p.CropSize > 0 ? p.CropSize.ToString(CultureInfo.InvariantCulture) : "-",
                SweepJson.Name(p.Augmentation), Markup.Escape(t.Error ?? ""));
        }
        return table;
    }

    private static string F(double? value, string format = "0.0000") =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
}
