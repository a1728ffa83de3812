using System.Globalization;
using System.Net;
using System.Text;

using static MLNet.Segmentation.Reports.SvgText;

namespace MLNet.Segmentation.Reports;

/// <summary>One bar of a <see cref="SvgBarChart"/>: its label, value and an optional note drawn after the value (e.g. "n=4").</summary>
public sealed record BarItem(string Label, double Value, string? Note = null);

/// <summary>A self-contained SVG chart of horizontal bars, one per labelled value, with the values written beside them.</summary>
public sealed class SvgBarChart
{
    private const int Width = 560, LabelWidth = 170, Right = 90, Top = 36, Bottom = 36, BarHeight = 18, Gap = 6;

    /// <summary>The chart title.</summary>
    public required string Title { get; init; }

    /// <summary>The value axis label.</summary>
    public required string ValueLabel { get; init; }

    /// <summary>The bars, top to bottom.</summary>
    public required IReadOnlyList<BarItem> Bars { get; init; }

    /// <summary>The value at the right end of the axis; null: the largest value.</summary>
    public double? MaxValue { get; init; }

    /// <summary>Bar colour.</summary>
    public string Colour { get; init; } = "#1f77b4";

    /// <summary>Renders the chart as an &lt;svg&gt; element.</summary>
    public string Render()
    {
        int height = Top + Bottom + Math.Max(1, Bars.Count) * (BarHeight + Gap);
        double max = MaxValue ?? Bars.Where(b => double.IsFinite(b.Value)).Select(b => b.Value).DefaultIfEmpty(1).Max();
        if (!(max > 0)) max = 1;
        double plotW = Width - LabelWidth - Right;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Esc(Title)}</text>");
        int y = Top;
        foreach (var bar in Bars)
        {
            double value = double.IsFinite(bar.Value) ? Math.Clamp(bar.Value, 0, max) : 0;
            double w = value / max * plotW;
            svg.Append($"<text x=\"{LabelWidth - 6}\" y=\"{y + BarHeight - 5}\" text-anchor=\"end\">{Esc(bar.Label)}</text>");
            svg.Append($"<rect x=\"{LabelWidth}\" y=\"{y}\" width=\"{F(w)}\" height=\"{BarHeight}\" fill=\"{Esc(Colour)}\"/>");
            string text = (double.IsFinite(bar.Value) ? F(bar.Value, "0.000") : "n/a") + (bar.Note is null ? "" : " " + bar.Note);
            svg.Append($"<text x=\"{F(LabelWidth + w + 4)}\" y=\"{y + BarHeight - 5}\">{Esc(text)}</text>");
            y += BarHeight + Gap;
        }
        svg.Append($"<line x1=\"{LabelWidth}\" x2=\"{LabelWidth}\" y1=\"{Top - 4}\" y2=\"{y}\" stroke=\"black\"/>");
        svg.Append($"<text x=\"{F(LabelWidth + plotW / 2)}\" y=\"{height - 10}\" text-anchor=\"middle\">{Esc(ValueLabel)}</text>");
        svg.Append("</svg>");
        return svg.ToString();
    }
}
