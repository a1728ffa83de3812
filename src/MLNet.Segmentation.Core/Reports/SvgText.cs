using System.Globalization;
using System.Net;

namespace MLNet.Segmentation.Reports;

/// <summary>What the SVG charts share: number formatting, escaping and "nice" axis steps.</summary>
internal static class SvgText
{
    /// <summary>A coordinate or label with at most two decimals, invariant culture.</summary>
    public static string F(double v, string format = "0.##") => v.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Text escaped for SVG/HTML.</summary>
    public static string Esc(string text) => WebUtility.HtmlEncode(text);

    /// <summary>The 1, 2 or 5 x 10^n step nearest above <paramref name="rough"/> (1 for a non-positive one).</summary>
    public static double NiceStep(double rough)
    {
        if (!(rough > 0)) return 1;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        double residual = rough / magnitude;
        return (residual > 5 ? 10 : residual > 2 ? 5 : residual > 1 ? 2 : 1) * magnitude;
    }
}
