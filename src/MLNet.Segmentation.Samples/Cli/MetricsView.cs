using System.Globalization;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Metrics.Evaluation;
using MLNet.Segmentation.Reports;
using Spectre.Console;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>Renders an evaluation as a Spectre table: one row per class (with its colour), then the summary metrics.</summary>
public static class MetricsView
{
    /// <summary>Writes the per-class table and the summary line.</summary>
    public static void Write(Terminal terminal, MaskEvaluation evaluation, IReadOnlyList<string>? classNames = null, IReadOnlyList<Rgb>? colors = null)
    {
        var m = evaluation.Metrics;
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumn("class").AddColumn(new TableColumn("IoU").RightAligned()).AddColumn(new TableColumn("Dice").RightAligned())
            .AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("HD95 px").RightAligned()).AddColumn(new TableColumn("pixels").RightAligned());
        for (int c = 0; c < m.NumClasses; c++)
        {
            string name = Markup.Escape(classNames is not null && c < classNames.Count ? classNames[c] : $"class {c}");
            if (colors is not null && c < colors.Count && terminal.IsInteractive)
                name = $"[{MaskVisualizer.Hex(colors[c])}]■[/] {name}";
            long pixels = 0;
            for (int p = 0; p < m.NumClasses; p++) pixels += m.Matrix[c, p];
            table.AddRow(name, Number(m.IoU[c]), Number(m.Dice[c]), Number(m.Precision[c]), Number(m.Recall[c]),
                Number(evaluation.Hausdorff95[c], "F1"), pixels.ToString("N0", CultureInfo.InvariantCulture));
        }
        terminal.Console.Write(table);
        terminal.Line(string.Create(CultureInfo.InvariantCulture,
            $"{evaluation.Files.Count} image(s): pixel accuracy {m.PixelAccuracy:F4}, mean class accuracy {m.MeanClassAccuracy:F4}, " +
            $"mIoU {m.MeanIoU:F4}, FWIoU {m.FrequencyWeightedIoU:F4}, mean Dice {m.MeanDice:F4}"));
    }

    private static string Number(double value, string format = "F4") =>
        double.IsNaN(value) ? "-" : double.IsPositiveInfinity(value) ? "inf" : value.ToString(format, CultureInfo.InvariantCulture);
}
