using System.Globalization;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Reports;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Samples.Reporting;

/// <summary>Builds report.html for a training run: summary, loss and validation curves, per-class table, sample pictures.</summary>
public static class TrainingReportBuilder
{
    /// <summary>The report of <paramref name="result"/> evaluated as <paramref name="validation"/>.</summary>
    public static HtmlReport Build(string title, string notes, string lossName, TrainingResult result, ValidationOutcome validation,
        DatasetDescription description)
    {
        var epochs = result.History;
        var metrics = validation.Evaluation.Metrics;
        string F3(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
        return new HtmlReport
        {
            Title = title,
            Notes = notes,
            Summary =
            [
                ("validation images", validation.Evaluation.Files.Count.ToString(CultureInfo.InvariantCulture)),
                ("validation pixel accuracy", F3(metrics.PixelAccuracy)),
                ("validation mIoU", F3(metrics.MeanIoU)),
                ("validation mean Dice", F3(metrics.MeanDice)),
                ("best epoch", $"{result.BestEpoch} of {epochs.Count}" + (result.StoppedEarly ? " (stopped early)" : "")),
                ("training time", $"{epochs.Sum(e => e.Seconds):F0} s"),
            ],
            Charts =
            [
                new SvgLineChart
                {
                    Title = $"Training loss ({lossName})", XLabel = "epoch", YLabel = "loss",
                    Series = [new ChartSeries("train loss", epochs.Select(e => ((double)e.Epoch, e.TrainLoss)).ToList(), "#d62728")],
                },
                new SvgLineChart
                {
                    Title = "Validation mIoU and pixel accuracy", XLabel = "epoch", YLabel = "score", YRange = (0, 1),
                    Series =
                    [
                        new ChartSeries("mIoU", epochs.Select(e => ((double)e.Epoch, e.ValidationMeanIoU ?? double.NaN)).ToList(), "#1f77b4"),
                        new ChartSeries("pixel accuracy", epochs.Select(e => ((double)e.Epoch, e.ValidationPixelAccuracy ?? double.NaN)).ToList(), "#2ca02c"),
                    ],
                },
            ],
            Classes = description.ClassNames.Select((name, c) => new ClassRow(name, MaskVisualizer.Hex(description.Colors[c]),
                metrics.IoU[c], metrics.Dice[c], metrics.Precision[c], metrics.Recall[c], validation.Evaluation.Hausdorff95[c])).ToArray(),
            Samples = validation.Samples,
        };
    }
}
