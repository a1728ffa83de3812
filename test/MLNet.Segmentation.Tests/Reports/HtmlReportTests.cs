using System.Xml.Linq;
using MLNet.Segmentation.Reports;

namespace MLNet.Segmentation.Tests.Reports;

[TestClass]
public sealed class HtmlReportTests
{
    private static SvgLineChart Chart() => new()
    {
        Title = "Validation mIoU",
        XLabel = "epoch",
        YLabel = "mIoU",
        YRange = (0, 1),
        Series = [new ChartSeries("val <mIoU>", [(1, 0.2), (2, 0.5), (3, double.NaN), (4, 0.75)], "#1f77b4")],
    };

    [TestMethod]
    public void ChartIsWellFormedSvgWithAxesTicksAndLegend()
    {
        var svg = XElement.Parse(Chart().Render());
        XNamespace ns = "http://www.w3.org/2000/svg";
        var texts = svg.Descendants(ns + "text").Select(t => t.Value).ToList();
        CollectionAssert.Contains(texts, "Validation mIoU");
        CollectionAssert.Contains(texts, "epoch");
        CollectionAssert.Contains(texts, "mIoU");
        CollectionAssert.Contains(texts, "val <mIoU>", "legend text is escaped and kept");
        CollectionAssert.IsSubsetOf(new[] { "0", "0.2", "0.4", "0.6", "0.8", "1" }, texts, "y ticks");
        CollectionAssert.IsSubsetOf(new[] { "1", "2", "3", "4" }, texts, "x ticks");
        var line = svg.Descendants(ns + "polyline").Single();
        Assert.AreEqual(3, line.Attribute("points")!.Value.Split(' ').Length, "NaN points are skipped");
        Assert.AreEqual(3, svg.Descendants(ns + "circle").Count());
    }

    [TestMethod]
    public void ReportIsSelfContainedAndShowsTableAndSamples()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47];
        var report = new HtmlReport
        {
            Title = "Demo & test",
            Summary = [("validation mIoU", "0.750")],
            Charts = [Chart()],
            Classes = [new ClassRow("background", "#000000", 0.9, 0.947, 0.95, 0.94, 1.5), new ClassRow("circle", "#ff0000", double.NaN, double.NaN, double.NaN, double.NaN, double.NaN)],
            Samples = [new ReportSample("s0", png, png, png)],
        };
        string html = report.Render();
        StringAssert.StartsWith(html, "<!DOCTYPE html>");
        StringAssert.Contains(html, "<title>Demo &amp; test</title>");
        StringAssert.Contains(html, "<td>0.900</td><td>0.947</td>");
        StringAssert.Contains(html, "<td>n/a</td>");
        StringAssert.Contains(html, "data:image/png;base64,iVBORw==");
        Assert.AreEqual(3, html.Split("data:image/png;base64,").Length - 1);
        Assert.IsFalse(html.Contains("src=\"http"), "no external resources");
        StringAssert.Contains(html, "Legend:");
    }
}
