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

        // Live tensors: at least the network's parameters, its Adam state and the inputs; every step disposes what it
        // made, so the count after the last step is the count after the warm-up.
        long liveAfterWarmup = row["live_tensors_after_warmup"]!.GetValue<long>(), liveEnd = row["live_tensors_end"]!.GetValue<long>();
        Assert.IsTrue(liveAfterWarmup > 3 * 18, $"{liveAfterWarmup} live tensors"); // U-Net depth 4: 18 convolutions with weights
        Assert.AreEqual(liveEnd - liveAfterWarmup, row["live_tensor_growth"]!.GetValue<long>());
        Assert.AreEqual(0, row["live_tensor_growth"]!.GetValue<long>(), "no tensor leaks per training step");
        Assert.IsTrue(row["live_tensors_max"]!.GetValue<long>() >= Math.Max(liveAfterWarmup, liveEnd));
    }

    [TestMethod]
    public async Task TheInferencePhaseRunsWithoutLeakingTensors()
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
        Assert.AreEqual(0, row["live_tensor_growth"]!.GetValue<long>());
    }

    [TestMethod]
    public async Task BenchTimesOurInferenceAndRefusesFp16OnTheCpu()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(
            ["bench", "--arch", "unet", "--batch", "2", "--size", "32", "--classes", "3", "--warmup", "0", "--repeats", "1", "--phases", "infer", "--no-peer", "--json"],
            output, error);
        Assert.AreEqual(0, code, error.ToString());
        var row = JsonNode.Parse(output.ToString().Trim())!.AsObject();
        Assert.AreEqual("ours", row["peer"]!.GetValue<string>());
        Assert.AreEqual("cpu", row["device"]!.GetValue<string>());
        double ms = row["infer_ms"]!.GetValue<double>();
        Assert.IsTrue(ms > 0);
        double imagesPerSecond = row["infer_images_per_s"]!.GetValue<double>(); // 2 images / the unrounded median
        Assert.IsTrue(imagesPerSecond >= 2000 / (ms + 0.05) - 0.01 && imagesPerSecond <= 2000 / (ms - 0.05) + 0.01, $"{imagesPerSecond} img/s at {ms} ms");
        Assert.IsTrue(row["infer_peak_rss_mb"]!.GetValue<double>() > 10);
        Assert.IsFalse(row.ContainsKey("train_step_ms"), "--phases infer");

        var refused = new StringWriter();
        Assert.AreEqual(2, await CommandLine.RunAsync(["bench", "--no-peer", "--precision", "fp16"], new StringWriter(), refused));
        StringAssert.Contains(refused.ToString(), "--precision fp16 needs --device cuda");

        // The engine features that went with the old engine are unknown options now.
        foreach (string flag in new[] { "--cuda-graphs", "--channels-last" })
        {
            var unknown = new StringWriter();
            Assert.AreEqual(2, await CommandLine.RunAsync(["bench", "--no-peer", flag], new StringWriter(), unknown));
            StringAssert.Contains(unknown.ToString(), $"unknown argument '{flag}'");
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
