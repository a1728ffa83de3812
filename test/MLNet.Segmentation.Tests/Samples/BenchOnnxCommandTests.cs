using System.Globalization;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>`mlseg bench-onnx`: one row per network and batch, the ratio computed from the two timings it prints.</summary>
[TestClass]
public sealed class BenchOnnxCommandTests
{
    [TestMethod]
    public async Task EachRowHoldsBothTimingsAndTheirRatio()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(
            ["bench-onnx", "--arch", "unet,fcn8s", "--batches", "1,2", "--size", "32", "--classes", "3", "--warmup", "0", "--repeats", "1"], output, error);
        Assert.AreEqual(0, code, error.ToString());
        var rows = output.ToString().Split('\n').Where(l => l.StartsWith("│ unet ", StringComparison.Ordinal) || l.StartsWith("│ fcn8s ", StringComparison.Ordinal)).ToList();
        Assert.HasCount(4, rows, output.ToString());
        foreach (string row in rows)
        {
            var cells = row.Split('│', StringSplitOptions.TrimEntries);
            double torch = double.Parse(cells[3], CultureInfo.InvariantCulture), onnx = double.Parse(cells[4], CultureInfo.InvariantCulture);
            double ratio = double.Parse(cells[5], CultureInfo.InvariantCulture);
            Assert.IsTrue(torch > 0 && onnx > 0, row);
            Assert.AreEqual(onnx / torch, ratio, 0.01 + 0.1 * ratio, row);
        }

        var bad = await CommandLine.RunAsync(["bench-onnx", "--batches", "0"], new StringWriter(), error);
        Assert.AreEqual(2, bad);
    }
}
