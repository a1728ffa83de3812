using System.Text.Json.Nodes;
using MLNet.Segmentation.Samples;
using MLNet.Segmentation.Samples.Commands;

namespace MLNet.Segmentation.Tests.Samples;

[TestClass]
public sealed class BenchMemoryCommandTests
{
    [TestMethod]
    public void SlopeIsTheLeastSquaresFitInMegabytesPerStep()
    {
        Assert.AreEqual(0.002, BenchMemoryCommand.Slope([(0, 10), (1000, 12), (2000, 14)]), 1e-12);
        // y = 5 + 0.001 x with residuals +1, -2, +1 (zero mean, uncorrelated with x): the slope is unchanged.
        Assert.AreEqual(0.001, BenchMemoryCommand.Slope([(0, 6), (1000, 4), (2000, 8)]), 1e-12);
        Assert.AreEqual(0, BenchMemoryCommand.Slope([(500, 100)]));
    }

    [TestMethod]
    public async Task ReportsResidentMemoryAfterWarmupAndAtTheEnd()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(
            ["bench-memory", "--arch", "unet", "--steps", "6", "--warmup", "2", "--every", "2", "--size", "32", "--classes", "3", "--json"], output, error);
        Assert.AreEqual(0, code, error.ToString());
        var row = JsonNode.Parse(output.ToString().Trim())!.AsObject();
        Assert.AreEqual("unet", row["arch"]!.GetValue<string>());
        Assert.AreEqual(6, row["steps"]!.GetValue<int>());
        Assert.AreEqual(3, row["samples"]!.GetValue<int>(), "samples at steps 2 (end of warm-up), 4 and 6");
        double afterWarmup = row["rss_after_warmup_mb"]!.GetValue<double>(), end = row["rss_end_mb"]!.GetValue<double>();
        Assert.IsTrue(afterWarmup > 10 && end > 10, $"RSS {afterWarmup} / {end} MB");
        Assert.AreEqual(Math.Round(end - afterWarmup, 1), row["growth_mb"]!.GetValue<double>(), 0.11);
        Assert.IsTrue(row["rss_max_after_warmup_mb"]!.GetValue<double>() >= Math.Max(afterWarmup, end) - 0.05);
    }

    [TestMethod]
    public async Task TheInferencePhaseRunsAndHasNoCudaColumnsOnTheCpu()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(
            ["bench-memory", "--arch", "segnet", "--phase", "infer", "--steps", "4", "--warmup", "2", "--every", "2", "--size", "32", "--classes", "3",
             "--width-divisor", "8", "--json"], output, error);
        Assert.AreEqual(0, code, error.ToString());
        var row = JsonNode.Parse(output.ToString().Trim())!.AsObject();
        Assert.AreEqual("infer", row["phase"]!.GetValue<string>());
        Assert.AreEqual(2, row["samples"]!.GetValue<int>());
        Assert.IsFalse(row.ContainsKey("cuda_allocated_growth_mb"));
    }

    [TestMethod]
    public async Task BenchTimesOurInferenceAndRefusesCudaOnlyFlagsOnTheCpu()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(
            ["bench", "--arch", "unet", "--batch", "2", "--size", "32", "--classes", "3", "--warmup", "0", "--repeats", "1", "--phases", "infer", "--no-peer", "--json"],
            output, error);
        Assert.AreEqual(0, code, error.ToString());
        var row = JsonNode.Parse(output.ToString().Trim())!.AsObject();
        Assert.IsTrue(row["infer_ms"]!.GetValue<double>() > 0);
        Assert.AreEqual("contiguous (auto)", row["infer_layout"]!.GetValue<string>(), "2 x 32 x 32 is below the channels-last minimum");
        Assert.IsFalse(row["cuda_graphs"]!.GetValue<bool>());
        Assert.IsFalse(row.ContainsKey("infer_cuda_peak_allocated_mb"));

        foreach (string flag in new[] { "--cuda-graphs", "--precision" })
        {
            var refused = new StringWriter();
            string[] args = flag == "--precision" ? ["bench", "--no-peer", "--precision", "fp16"] : ["bench", "--no-peer", flag];
            Assert.AreEqual(2, await CommandLine.RunAsync(args, new StringWriter(), refused));
            StringAssert.Contains(refused.ToString(), "needs --device cuda");
        }
    }

    [TestMethod]
    public async Task WarmupMustBeBelowTheStepCount()
    {
        var error = new StringWriter();
        Assert.AreEqual(2, await CommandLine.RunAsync(["bench-memory", "--steps", "5", "--warmup", "5"], new StringWriter(), error));
        StringAssert.Contains(error.ToString(), "--warmup");
    }
}
