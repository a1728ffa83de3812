using System.Globalization;
using System.Net;
using System.Text;
using MLNet.Segmentation.Reports;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// sweep.html: a self-contained page with the sweep's summary, every trial's validation-mIoU curve, the metric against
/// the learning rate and the weight decay (scatter plots, one colour per architecture), the mean metric per value of
/// each categorical parameter, a parameter-importance chart (how far the mean metric moves across a parameter's values)
/// and the trial table.
/// </summary>
public static class SweepReport
{
    private static readonly string[] Palette =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    private static string Esc(string text) => WebUtility.HtmlEncode(text);

    private static string F(double? value, string format = "0.000") =>
        value is double v && double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    /// <summary>The metric's name as the page writes it.</summary>
    public static string MetricName(SweepMetric metric) => metric == SweepMetric.PixelAccuracy ? "pixel accuracy" : "mIoU";

    /// <summary>The status as the tables write it.</summary>
    public static string StatusText(TrialStatus status) => status switch
    {
        TrialStatus.Completed => "completed",
        TrialStatus.StoppedEarly => "stopped early (ASHA)",
        TrialStatus.Budget => "budget",
        _ => "failed",
    };

    /// <summary>Renders the page of <paramref name="result"/>, with <paramref name="notes"/> under the title.</summary>
    public static string Render(SweepResult result, string? notes = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        string metric = MetricName(result.Metric);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/><title>MLNet.Segmentation sweep</title><style>");
        html.Append("body{font-family:sans-serif;margin:24px;color:#222}h1{font-size:22px}h2{font-size:18px;margin-top:28px}");
        html.Append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f3f3f3}");
        html.Append("td.text{text-align:left}.charts svg{margin:0 16px 16px 0;border:1px solid #ddd}tr.best td{background:#eaf4ea}");
        html.Append("</style></head><body><h1>MLNet.Segmentation sweep</h1>");
        if (notes is not null) html.Append($"<p>{Esc(notes)}</p>");

        var best = result.Best;
        var summary = new List<(string, string)>
        {
            ("strategy", result.Strategy switch { SearchStrategy.Grid => "grid search", SearchStrategy.Random => "random search", _ => "successive halving (ASHA)" }),
            ("seed", result.Seed.ToString(CultureInfo.InvariantCulture)),
            ("budget", result.Budget.ToString()),
            ("stopped by", result.StopReason),
            ("trials", $"{result.Trials.Count}: " + string.Join(", ", result.Trials.GroupBy(t => t.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {StatusText(g.Key)}"))),
            ($"best {metric}", best is null ? "-" : $"{F(best.Score)} (trial {best.Trial}: {best.Parameters.Describe()})"),
        };
        html.Append("<table>");
        foreach (var (label, value) in summary) html.Append($"<tr><th>{Esc(label)}</th><td class=\"text\">{Esc(value)}</td></tr>");
        html.Append("</table>");

        html.Append("<h2>Validation curves</h2><div class=\"charts\">");
        html.Append(Curves(result.Trials, "Validation mIoU per epoch, every trial", byStatus: true).Render());
        var top = result.Trials.Where(t => t.Score is not null).OrderByDescending(t => t.Score).ThenBy(t => t.Trial).Take(5).ToArray();
        if (top.Length > 0) html.Append(Curves(top, $"The {top.Length} best trials", byStatus: false).Render());
        html.Append("</div>");

        var compared = result.ComparableScores();
        if (compared.Count > 0)
        {
            string basis = result.Strategy == SearchStrategy.SuccessiveHalving
                ? $"Each trial is compared by its {metric} at the first rung, which every trial trained alike to."
                : $"Each trial is compared by its final {metric}.";
            html.Append($"<h2>What mattered</h2><p>{Esc(basis)} Importance: how far the mean {Esc(metric)} moves across a parameter's values " +
                        "(the highest mean minus the lowest; a numeric parameter's values in three equal-count bins).</p><div class=\"charts\">");
            html.Append(Importance(compared, metric).Render());
            html.Append(Scatter(compared, metric, "learning rate", t => t.LearningRate).Render());
            html.Append(Scatter(compared, metric, "weight decay", t => t.WeightDecay).Render());
            foreach (var (name, key) in Categorical)
            {
                var groups = compared.GroupBy(c => key(c.Trial.Parameters)).ToArray();
                if (groups.Length < 2) continue;
                html.Append(new SvgBarChart
                {
                    Title = $"Mean {metric} by {name}", ValueLabel = $"mean {metric}", MaxValue = 1,
                    Bars = groups.OrderBy(g => NumberIn(g.Key)).ThenBy(g => g.Key, StringComparer.Ordinal).Select(g => new BarItem(g.Key, g.Average(c => c.Score), $"n={g.Count()}")).ToArray(),
                }.Render());
            }
            html.Append("</div>");
        }

        html.Append("<h2>Trials</h2><table><tr><th>trial</th><th>status</th><th>").Append(Esc(metric)).Append("</th><th>mIoU</th><th>pixel acc</th>");
        html.Append("<th>epochs</th><th>best epoch</th><th>seconds</th><th>parameters</th><th>error</th></tr>");
        foreach (var t in result.Trials)
        {
            html.Append(t.Trial == result.BestTrial ? "<tr class=\"best\">" : "<tr>");
            html.Append($"<td>{t.Trial}</td><td class=\"text\">{Esc(StatusText(t.Status))}</td><td>{F(t.Score)}</td><td>{F(t.MeanIoU)}</td><td>{F(t.PixelAccuracy)}</td>");
            html.Append($"<td>{t.Epochs}</td><td>{t.BestEpoch?.ToString(CultureInfo.InvariantCulture) ?? "-"}</td><td>{F(t.Seconds, "0.0")}</td>");
            html.Append($"<td class=\"text\">{Esc(t.Parameters.Describe())}</td><td class=\"text\">{Esc(t.Error ?? "")}</td></tr>");
        }
        html.Append("</table></body></html>");
        return html.ToString();
    }

    private static readonly (string Name, Func<TrialParameters, string> Key)[] Categorical =
    [
        ("architecture", p => p.IsDeepLab ? p.CatalogName : p.Architecture),
        ("loss", p => SweepJson.Name(p.Loss)),
        ("class weights", p => p.ClassWeights ? "weighted" : "unweighted"),
        ("optimizer", p => SweepJson.Name(p.Optimizer)),
        ("width divisor", p => "/" + p.WidthDivisor.ToString(CultureInfo.InvariantCulture)),
        ("batch size", p => p.BatchSize.ToString(CultureInfo.InvariantCulture)),
        ("crop", p => p.CropSize > 0 ? p.CropSize.ToString(CultureInfo.InvariantCulture) : "whole"),
        ("augmentation", p => SweepJson.Name(p.Augmentation)),
    ];

    // "/8" and "256" sort as numbers, names after them.
    private static double NumberIn(string label) =>
        double.TryParse(label.TrimStart('/'), NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : double.PositiveInfinity;

    private static SvgLineChart Curves(IReadOnlyList<TrialResult> trials, string title, bool byStatus)
    {
        var named = new HashSet<TrialStatus>();
        var series = trials.Select((t, i) =>
        {
            var points = t.History.Where(h => h.ValidationMeanIoU is not null).Select(h => ((double)h.Epoch, h.ValidationMeanIoU!.Value)).ToArray();
            if (!byStatus) return new ChartSeries($"trial {t.Trial}: {F(t.Score)}", points, Palette[i % Palette.Length]);
            string colour = t.Status switch { TrialStatus.Completed => "#1f77b4", TrialStatus.StoppedEarly => "#aaaaaa", TrialStatus.Budget => "#ff7f0e", _ => "#d62728" };
            return new ChartSeries(named.Add(t.Status) ? StatusText(t.Status) : "", points, colour);
        }).ToArray();
        int legend = series.Count(s => s.Name.Length > 0);
        return new SvgLineChart
        {
            Title = title, XLabel = "epoch", YLabel = "validation mIoU", Series = series, YRange = (0, 1), Height = Math.Max(320, 100 + 16 * legend),
        };
    }

    private static SvgScatterChart Scatter(IReadOnlyList<(TrialResult Trial, double Score)> compared, string metric, string name, Func<TrialParameters, double> value)
    {
        var byArchitecture = compared.GroupBy(c => c.Trial.Parameters.IsDeepLab ? c.Trial.Parameters.CatalogName : c.Trial.Parameters.Architecture)
            .OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        return new SvgScatterChart
        {
            Title = $"{metric} against {name}", XLabel = $"{name} (log scale)", YLabel = metric, LogX = true, YRange = (0, 1),
            Series = byArchitecture.Select((g, i) => new ScatterSeries(g.Key, g.Select(c => (value(c.Trial.Parameters), c.Score)).ToArray(), Palette[i % Palette.Length])).ToArray(),
        };
    }

    /// <summary>
    /// Per parameter, the highest minus the lowest mean score over its values (numeric parameters: over three bins of
    /// equal count, by value); parameters with one value are left out. Largest first.
    /// </summary>
    public static IReadOnlyList<(string Parameter, double Spread)> ImportanceOf(IReadOnlyList<(TrialResult Trial, double Score)> compared)
    {
        ArgumentNullException.ThrowIfNull(compared);
        var spreads = new List<(string, double)>();
        foreach (var (name, key) in Categorical)
        {
            var means = compared.GroupBy(c => key(c.Trial.Parameters)).Select(g => g.Average(c => c.Score)).ToArray();
            if (means.Length > 1) spreads.Add((name, means.Max() - means.Min()));
        }
        foreach (var (name, value) in new (string, Func<TrialParameters, double>)[] { ("learning rate", p => p.LearningRate), ("weight decay", p => p.WeightDecay) })
        {
            var sorted = compared.OrderBy(c => value(c.Trial.Parameters)).ThenBy(c => c.Trial.Trial).ToArray();
            if (sorted.Select(c => value(c.Trial.Parameters)).Distinct().Count() < 2 || sorted.Length < 3) continue;
            var means = Enumerable.Range(0, 3).Select(b => sorted.Skip(b * sorted.Length / 3).Take((b + 1) * sorted.Length / 3 - b * sorted.Length / 3).Average(c => c.Score)).ToArray();
            spreads.Add((name, means.Max() - means.Min()));
        }
        return spreads.OrderByDescending(s => s.Item2).ThenBy(s => s.Item1, StringComparer.Ordinal).ToArray();
    }

    private static SvgBarChart Importance(IReadOnlyList<(TrialResult Trial, double Score)> compared, string metric) => new()
    {
        Title = "Parameter importance", ValueLabel = $"spread of the mean {metric} across the parameter's values", Colour = "#2ca02c",
        Bars = ImportanceOf(compared).Select(s => new BarItem(s.Parameter, s.Spread)).ToArray(),
    };
}
