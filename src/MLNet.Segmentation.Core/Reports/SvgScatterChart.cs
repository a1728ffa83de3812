using System.Globalization;
using System.Net;
using System.Text;

using static MLNet.Segmentation.Reports.SvgText;

namespace MLNet.Segmentation.Reports;

/// <summary>One named, coloured set of points of a <see cref="SvgScatterChart"/>.</summary>
public sealed record ScatterSeries(string Name, IReadOnlyList<(double X, double Y)> Points, string Colour);

/// <summary>
/// A self-contained SVG scatter plot: labelled axes, a logarithmic x axis on request (ticks at powers of ten), grid
/// lines and a legend; points that are not finite (or not positive on a log axis) are left out.
/// </summary>
public sealed class SvgScatterChart
{
    private const int Width = 560, Height = 320, Left = 64, Right = 16, Top = 36, Bottom = 48;

    /// <summary>The chart title.</summary>
    public required string Title { get; init; }

    /// <summary>The x-axis label.</summary>
    public required string XLabel { get; init; }

    /// <summary>The y-axis label.</summary>
    public required string YLabel { get; init; }

    /// <summary>The point sets.</summary>
    public required IReadOnlyList<ScatterSeries> Series { get; init; }

    /// <summary>Whether the x axis is logarithmic (e.g. learning rates).</summary>
    public bool LogX { get; init; }

    /// <summary>Fixed y range; null fits the data (from 0).</summary>
    public (double Min, double Max)? YRange { get; init; }

    private bool Drawable((double X, double Y) p) => double.IsFinite(p.X) && double.IsFinite(p.Y) && (!LogX || p.X > 0);

    /// <summary>Renders the chart as an &lt;svg&gt; element.</summary>
    public string Render()
    {
        var points = Series.SelectMany(s => s.Points).Where(Drawable).ToArray();
        double X(double x) => LogX ? Math.Log10(x) : x;
        double xMin = points.Length > 0 ? points.Min(p => X(p.X)) : 0, xMax = points.Length > 0 ? points.Max(p => X(p.X)) : 1;
        if (LogX) (xMin, xMax) = (Math.Floor(xMin), Math.Ceiling(xMax));
        if (xMax <= xMin) (xMin, xMax) = LogX ? (xMin - 1, xMax + 1) : (xMin - 0.5, xMax + 0.5);
        var (yMin, yMax) = YRange ?? (Math.Min(0, points.Length > 0 ? points.Min(p => p.Y) : 0), points.Length > 0 ? points.Max(p => p.Y) : 1);
        if (yMax <= yMin) yMax = yMin + 1;
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double Sx(double x) => Left + (X(x) - xMin) / (xMax - xMin) * plotW;
        double Sy(double y) => Top + plotH - (y - yMin) / (yMax - yMin) * plotH;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>");
        svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{Width / 2}\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"bold\">{Esc(Title)}</text>");
        double yStep = NiceStep((yMax - yMin) / 5);
        for (double y = yMin; y <= yMax + yStep / 2; y += yStep)
        {
            svg.Append($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Sy(y))}\" y2=\"{F(Sy(y))}\" stroke=\"#e0e0e0\"/>");
            svg.Append($"<text x=\"{Left - 6}\" y=\"{F(Sy(y) + 4)}\" text-anchor=\"end\">{F(y)}</text>");
        }
        double xStep = LogX ? 1 : NiceStep((xMax - xMin) / 6);
        for (double t = Math.Ceiling(xMin / xStep) * xStep; t <= xMax + 1e-9; t += xStep)
        {
            double sx = Left + (t - xMin) / (xMax - xMin) * plotW;
            string label = LogX ? Math.Pow(10, t).ToString("0e0", CultureInfo.InvariantCulture) : F(t);
            svg.Append($"<line x1=\"{F(sx)}\" x2=\"{F(sx)}\" y1=\"{Top}\" y2=\"{F(Top + plotH + 5)}\" stroke=\"#e0e0e0\"/>");
            svg.Append($"<text x=\"{F(sx)}\" y=\"{F(Top + plotH + 18)}\" text-anchor=\"middle\">{label}</text>");
        }
        svg.Append($"<line x1=\"{Left}\" x2=\"{Left}\" y1=\"{Top}\" y2=\"{F(Top + plotH)}\" stroke=\"black\"/>");
        svg.Append($"<line x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{F(Top + plotH)}\" y2=\"{F(Top + plotH)}\" stroke=\"black\"/>");
        svg.Append($"<text x=\"{F(Left + plotW / 2)}\" y=\"{Height - 8}\" text-anchor=\"middle\">{Esc(XLabel)}</text>");
        svg.Append($"<text transform=\"translate(16 {F(Top + plotH / 2)}) rotate(-90)\" text-anchor=\"middle\">{Esc(YLabel)}</text>");
        int legendY = Top + 8;
        foreach (var series in Series)
        {
            foreach (var p in series.Points.Where(Drawable))
                svg.Append($"<circle cx=\"{F(Sx(p.X))}\" cy=\"{F(Sy(p.Y))}\" r=\"4\" fill=\"{Esc(series.Colour)}\" fill-opacity=\"0.8\"/>");
            svg.Append($"<circle cx=\"{Width - Right - 144}\" cy=\"{legendY - 3}\" r=\"5\" fill=\"{Esc(series.Colour)}\"/>");
            svg.Append($"<text x=\"{Width - Right - 132}\" y=\"{legendY + 1}\">{Esc(series.Name)}</text>");
            legendY += 16;
        }
        svg.Append("</svg>");
        return svg.ToString();
    }
}
