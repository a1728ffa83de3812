using System.Globalization;
using System.Net;
using System.Text;

using static MLNet.Segmentation.Reports.SvgText;

namespace MLNet.Segmentation.Reports;

/// <summary>One named series of (x, y) points in a <see cref="SvgLineChart"/>.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Colour);

/// <summary>
/// A self-contained SVG line chart with labelled axes, tick values, grid lines and a legend (series with an empty name
/// are drawn without a legend entry).
/// </summary>
public sealed class SvgLineChart
{
    private const int Left = 64, Right = 16, Top = 36, Bottom = 48;

    /// <summary>Width in pixels [560].</summary>
    public int Width { get; init; } = 560;

    /// <summary>Height in pixels [320]; give more room for a long legend.</summary>
    public int Height { get; init; } = 320;

    /// <summary>The chart title.</summary>
    public required string Title { get; init; }

    /// <summary>The x-axis label.</summary>
    public required string XLabel { get; init; }

    /// <summary>The y-axis label.</summary>
    public required string YLabel { get; init; }

    /// <summary>The series to draw.</summary>
    public required IReadOnlyList<ChartSeries> Series { get; init; }

    /// <summary>Fixed y range (e.g. 0..1 for mIoU); null fits the data.</summary>
    public (double Min, double Max)? YRange { get; init; }

    /// <summary>Renders the chart as an &lt;svg&gt; element.</summary>
    public string Render()
    {
        var points = Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.Y) && double.IsFinite(p.X)).ToArray();
        double xMin = points.Length > 0 ? points.Min(p => p.X) : 0, xMax = points.Length > 0 ? points.Max(p => p.X) : 1;
        double yMin, yMax;
        if (YRange is { } range) (yMin, yMax) = range;
        else
        {
            yMin = points.Length > 0 ? Math.Min(0, points.Min(p => p.Y)) : 0;
            yMax = points.Length > 0 ? points.Max(p => p.Y) : 1;
        }
        if (xMax <= xMin) xMax = xMin + 1;
        if (yMax <= yMin) yMax = yMin + 1;
        double yStep = NiceStep((yMax - yMin) / 5);
        yMax = Math.Ceiling(yMax / yStep) * yStep;
        double xStep = Math.Max(1, NiceStep((xMax - xMin) / 8));

        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Sx(double x) => Left + (x - xMin) / (xMax - xMin) * plotW;
        double Sy(double y) => Top + plotH - (y - yMin) / (yMax - yMin) * plotH;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Esc(Title)}</text>");
        for (double y = yMin; y <= yMax + yStep / 2; y += yStep)
        {
            svg.Append($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Sy(y))}\" y2=\"{F(Sy(y))}\" stroke=\"#e0e0e0\"/>");
            svg.Append($"<text x=\"{Left - 6}\" y=\"{F(Sy(y) + 4)}\" text-anchor=\"end\">{F(y)}</text>");
        }
        for (double x = Math.Ceiling(xMin); x <= xMax + 1e-9; x += xStep)
        {
            svg.Append($"<line x1=\"{F(Sx(x))}\" x2=\"{F(Sx(x))}\" y1=\"{Top + plotH}\" y2=\"{Top + plotH + 5}\" stroke=\"black\"/>");
            svg.Append($"<text x=\"{F(Sx(x))}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{F(x)}</text>");
        }
        svg.Append($"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{Top + plotH}\" stroke=\"black\"/>");
        svg.Append($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{Top + plotH}\" y2=\"{Top + plotH}\" stroke=\"black\"/>");
        svg.Append($"<text x=\"{Left + plotW / 2}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Esc(XLabel)}</text>");
        svg.Append($"<text transform=\"translate(16 {F(Top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{Esc(YLabel)}</text>");

        int legendY = Top + 8;
        foreach (var series in Series)
        {
            var finite = series.Points.Where(p => double.IsFinite(p.Y)).ToArray();
            if (finite.Length > 0)
            {
                string path = string.Join(" ", finite.Select(p => $"{F(Sx(p.X))},{F(Sy(p.Y))}"));
                svg.Append($"<polyline fill=\"none\" stroke=\"{Esc(series.Colour)}\" stroke-width=\"2\" points=\"{path}\"/>");
                foreach (var p in finite)
                    svg.Append($"<circle cx=\"{F(Sx(p.X))}\" cy=\"{F(Sy(p.Y))}\" r=\"2.5\" fill=\"{Esc(series.Colour)}\"/>");
            }
            if (series.Name.Length == 0) continue;
            svg.Append($"<rect x=\"{Width - Right - 150}\" y=\"{legendY - 9}\" width=\"12\" height=\"12\" fill=\"{Esc(series.Colour)}\"/>");
            svg.Append($"<text x=\"{Width - Right - 132}\" y=\"{legendY + 1}\">{Esc(series.Name)}</text>");
            legendY += 16;
        }
        svg.Append("</svg>");
        return svg.ToString();
    }
}
