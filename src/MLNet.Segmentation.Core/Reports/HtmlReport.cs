using System.Globalization;
using System.Net;
using System.Text;

namespace MLNet.Segmentation.Reports;

/// <summary>One row of the per-class table of a report.</summary>
public sealed record ClassRow(string Name, string Colour, double Iou, double Dice, double Precision, double Recall, double Hd95);

/// <summary>One sample shown in a report: PNG images of the input, the ground truth and the prediction.</summary>
public sealed record ReportSample(string Name, byte[] ImagePng, byte[] TruthPng, byte[] PredictionPng, byte[]? OverlayPng = null);

/// <summary>
/// A self-contained HTML page (no external files): headline numbers, SVG charts, a per-class metrics table with a
/// colour legend, and sample predictions beside their ground truth as inline PNGs.
/// </summary>
public sealed class HtmlReport
{
    /// <summary>The page title.</summary>
    public required string Title { get; init; }

    /// <summary>Headline figures (label → value text), e.g. "validation mIoU" → "0.812".</summary>
    public IReadOnlyList<(string Label, string Value)> Summary { get; init; } = [];

    /// <summary>Charts, e.g. training loss and validation mIoU per epoch.</summary>
    public IReadOnlyList<SvgLineChart> Charts { get; init; } = [];

    /// <summary>Per-class metrics.</summary>
    public IReadOnlyList<ClassRow> Classes { get; init; } = [];

    /// <summary>Sample predictions.</summary>
    public IReadOnlyList<ReportSample> Samples { get; init; } = [];

    /// <summary>Free text under the title (e.g. the command that produced the report).</summary>
    public string? Notes { get; init; }

    private static string Esc(string text) => WebUtility.HtmlEncode(text);

    private static string Metric(double value) =>
        double.IsNaN(value) ? "n/a" : double.IsInfinity(value) ? "∞" : value.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Png(byte[] png, string alt) =>
        $"<img alt=\"{Esc(alt)}\" src=\"data:image/png;base64,{Convert.ToBase64String(png)}\"/>";

    /// <summary>Renders the page.</summary>
    public string Render()
    {
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/>");
        html.Append($"<title>{Esc(Title)}</title><style>");
        html.Append("body{font-family:sans-serif;margin:24px;color:#222}h1{font-size:22px}h2{font-size:18px;margin-top:28px}");
        html.Append("table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}th{background:#f3f3f3}");
        html.Append("td.name{text-align:left}.swatch{display:inline-block;width:14px;height:14px;border:1px solid #555;margin-right:6px;vertical-align:middle}");
        html.Append(".charts svg{margin:0 16px 16px 0;border:1px solid #ddd}.samples td{text-align:center;vertical-align:top}");
        html.Append(".samples img{image-rendering:pixelated;width:192px;border:1px solid #999}.summary td{text-align:left}");
        html.Append("</style></head><body>");
        html.Append($"<h1>{Esc(Title)}</h1>");
        if (Notes is not null) html.Append($"<p>{Esc(Notes)}</p>");
        if (Summary.Count > 0)
        {
            html.Append("<table class=\"summary\">");
            foreach (var (label, value) in Summary) html.Append($"<tr><th>{Esc(label)}</th><td>{Esc(value)}</td></tr>");
            html.Append("</table>");
        }
        if (Charts.Count > 0)
        {
            html.Append("<h2>Training curves</h2><div class=\"charts\">");
            foreach (var chart in Charts) html.Append(chart.Render());
            html.Append("</div>");
        }
        if (Classes.Count > 0)
        {
            html.Append("<h2>Per-class metrics (validation)</h2><table><tr><th>class</th><th>IoU</th><th>Dice</th><th>precision</th><th>recall</th><th>HD95 (px)</th></tr>");
            foreach (var row in Classes)
                html.Append($"<tr><td class=\"name\"><span class=\"swatch\" style=\"background:{Esc(row.Colour)}\"></span>{Esc(row.Name)}</td>" +
                            $"<td>{Metric(row.Iou)}</td><td>{Metric(row.Dice)}</td><td>{Metric(row.Precision)}</td><td>{Metric(row.Recall)}</td><td>{Metric(row.Hd95)}</td></tr>");
            html.Append("</table><p>n/a: the class is absent from both prediction and ground truth.</p>");
        }
        if (Samples.Count > 0)
        {
            html.Append("<h2>Sample predictions</h2><table class=\"samples\"><tr><th>sample</th><th>input</th><th>ground truth</th><th>prediction</th>");
            bool overlays = Samples.Any(s => s.OverlayPng is not null);
            if (overlays) html.Append("<th>overlay</th>");
            html.Append("</tr>");
            foreach (var s in Samples)
            {
                html.Append($"<tr><td>{Esc(s.Name)}</td><td>{Png(s.ImagePng, s.Name + " input")}</td><td>{Png(s.TruthPng, s.Name + " ground truth")}</td><td>{Png(s.PredictionPng, s.Name + " prediction")}</td>");
                if (overlays) html.Append(s.OverlayPng is null ? "<td></td>" : $"<td>{Png(s.OverlayPng, s.Name + " overlay")}</td>");
                html.Append("</tr>");
            }
            html.Append("</table>");
            if (Classes.Count > 0)
            {
                html.Append("<p>Legend: ");
                foreach (var row in Classes) html.Append($"<span class=\"swatch\" style=\"background:{Esc(row.Colour)}\"></span>{Esc(row.Name)} &nbsp; ");
                html.Append("</p>");
            }
        }
        html.Append("</body></html>");
        return html.ToString();
    }
}
