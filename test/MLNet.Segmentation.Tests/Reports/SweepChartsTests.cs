using MLNet.Segmentation.Reports;

namespace MLNet.Segmentation.Tests.Reports;

/// <summary>The sweep report's charts: positions by their arithmetic.</summary>
[TestClass]
public sealed class SweepChartsTests
{
    [TestMethod]
    public void ScatterPlacesPointsOnALogAxisBetweenPowersOfTen()
    {
        // Plot 64..544 (480 px) by 36..272; x from 1e-4 to 1e-2 (whole decades), y 0..1.
        string svg = new SvgScatterChart
        {
            Title = "t", XLabel = "lr", YLabel = "mIoU", LogX = true, YRange = (0, 1),
            Series = [new ScatterSeries("unet", [(1e-3, 0.5), (1e-4, 0), (1e-2, 1), (-1, 0.3), (double.NaN, 0.2)], "#123456")],
        }.Render();
        StringAssert.Contains(svg, "<circle cx=\"304\" cy=\"154\" r=\"4\"");
        StringAssert.Contains(svg, "<circle cx=\"64\" cy=\"272\" r=\"4\"");
        StringAssert.Contains(svg, "<circle cx=\"544\" cy=\"36\" r=\"4\"");
        Assert.AreEqual(3 + 1, svg.Split("fill=\"#123456\"").Length - 1, "three drawable points and the legend's dot");
        foreach (string tick in new[] { ">1e-4<", ">1e-3<", ">1e-2<" }) StringAssert.Contains(svg, tick);
    }

    [TestMethod]
    public void BarsAreProportionalToTheirValues()
    {
        // Bars start at x = 170 and span 300 px at the maximum.
        string svg = new SvgBarChart
        {
            Title = "t", ValueLabel = "mean mIoU", MaxValue = 1, Bars = [new BarItem("unet", 0.5, "n=3"), new BarItem("segnet", 0.25)],
        }.Render();
        StringAssert.Contains(svg, "<rect x=\"170\" y=\"36\" width=\"150\" height=\"18\"");
        StringAssert.Contains(svg, "<rect x=\"170\" y=\"60\" width=\"75\" height=\"18\"");
        StringAssert.Contains(svg, ">0.500 n=3<");
        StringAssert.Contains(svg, "height=\"120\"", "36 + 36 + 2 x 24");
    }

    [TestMethod]
    public void LineChartLeavesUnnamedSeriesOutOfTheLegendAndTakesItsHeight()
    {
        string svg = new SvgLineChart
        {
            Title = "t", XLabel = "epoch", YLabel = "mIoU", Height = 400,
            Series = [new ChartSeries("completed", [(1, 0.2), (2, 0.4)], "#111111"), new ChartSeries("", [(1, 0.1)], "#222222")],
        }.Render();
        StringAssert.Contains(svg, "height=\"400\"");
        Assert.AreEqual(1, svg.Split("<rect x=\"394\"").Length - 1, "one legend entry");
        StringAssert.Contains(svg, "fill=\"#222222\"");
    }
}
