using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Samples;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>The `mlseg info` command and the dispatcher's handling of unknown commands (from the old engine's runtime tests).</summary>
[TestClass]
public sealed class CommandLineTests
{
    [TestMethod]
    public async Task InfoCommandPrintsVersionsCudaDevicesAndThreads()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CommandLine.RunAsync(["info"], output, error);
        Assert.AreEqual(0, exit, error.ToString());
        string text = output.ToString();
        StringAssert.Contains(text, $"TorchSharp:        {TorchRuntime.TorchSharpVersion}");
        StringAssert.StartsWith(TorchRuntime.TorchSharpVersion, "0.107.");
        StringAssert.Contains(text, $"libtorch version:  {TorchRuntime.LibTorchVersion}");
        StringAssert.Matches(TorchRuntime.LibTorchVersion, new System.Text.RegularExpressions.Regex(@"^\d+\.\d+"));
        // build/gpu/bench.sh greps this line.
        StringAssert.Contains(text, $"CUDA available:    {(TorchRuntime.CudaIsAvailable ? "yes" : "no")}\n".ReplaceLineEndings(Environment.NewLine));
        StringAssert.Contains(text, $"CUDA devices:      {TorchRuntime.CudaDeviceCount}");
        StringAssert.Contains(text, $"CPU threads:       {TorchRuntime.Threads} (processors: {Environment.ProcessorCount})");
        StringAssert.Contains(text, $"default device:    {(TorchRuntime.CudaIsAvailable ? "cuda:0" : "cpu")}");
        Assert.DoesNotContain("CUDA in bridge", text, "the C++ bridge is gone");
        Assert.AreEqual(2, await CommandLine.RunAsync(["info", "--verbose"], new StringWriter(), error));
    }

    [TestMethod]
    public async Task UnknownCommandFailsWithUsageExitCode()
    {
        var error = new StringWriter();
        int exit = await CommandLine.RunAsync(["frobnicate"], new StringWriter(), error);
        Assert.AreEqual(2, exit);
        Assert.AreEqual("mlseg: unknown command 'frobnicate'; commands: bench, bench-data, bench-memory, bench-metrics, bench-onnx, " +
                        "bench-optimizer, completion, demo, evaluate, export, info, metrics, models, predict, sample, sweep, train", error.ToString().Trim());
    }

    [TestMethod]
    public async Task HelpListsEveryCommand()
    {
        var output = new StringWriter();
        Assert.AreEqual(0, await CommandLine.RunAsync(["--help"], output, new StringWriter()));
        foreach (string name in new[] { "bench", "bench-memory", "demo", "evaluate", "info", "metrics", "models", "predict", "train" })
            StringAssert.Contains(output.ToString(), $"  {name} ");
    }

    [TestMethod]
    public async Task DeviceArgumentSeparatesMalformedFromUnavailable()
    {
        static TorchSharp.torch.Device? Parse(string text) =>
            DeviceArgument.Parse(new Arguments("x", new Dictionary<string, string?> { ["--device"] = text }));
        Assert.IsNull(Parse("auto"));
        Assert.AreEqual(TorchSharp.DeviceType.CPU, Parse("CPU")!.type);
        foreach (string bad in new[] { "tpu", "cuda:", "cuda:x", "cuda:-1" })
            StringAssert.Contains(Assert.ThrowsExactly<UsageException>(() => Parse(bad)).Message, $"--device must be auto, cpu, cuda or cuda:N, got '{bad}'");
        if (TorchRuntime.CudaIsAvailable) return;
        Assert.ThrowsExactly<ArgumentException>(() => Parse("cuda:1"));
        var noCuda = new StringWriter();
        Assert.AreEqual(1, await CommandLine.RunAsync(["bench", "--no-peer", "--device", "cuda"], new StringWriter(), noCuda));
        StringAssert.Contains(noCuda.ToString(), "--device cuda: no usable CUDA device");
    }

    [TestMethod]
    public async Task TraceVariableAddsTheStackTraceAfterTheOneLineError()
    {
        string[] args = ["metrics", "--pred", "/nonexistent/pred", "--gt", "/nonexistent/gt", "--classes", "2"];
        var plain = new StringWriter();
        Assert.AreEqual(1, await CommandLine.RunAsync(args, new StringWriter(), plain));
        string line = plain.ToString().TrimEnd();
        StringAssert.StartsWith(line, "mlseg metrics: ");
        Assert.IsFalse(line.Contains('\n'), line);
        var traced = new StringWriter();
        Environment.SetEnvironmentVariable("MLSEG_TRACE", "1");
        try
        {
            Assert.AreEqual(1, await CommandLine.RunAsync(args, new StringWriter(), traced));
        }
        finally
        {
            Environment.SetEnvironmentVariable("MLSEG_TRACE", null);
        }
        string[] lines = traced.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(line, lines[0].TrimEnd());
        Assert.IsTrue(lines.Skip(1).Any(l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal)), traced.ToString());
    }

    [TestMethod]
    public async Task FailuresAreOneLineWithoutBacktracesOrParameterNames()
    {
        var native = new System.Runtime.InteropServices.ExternalException(
            "Expected 4D input, got 3D\nException raised from conv2d at aten/src/ATen/native/Convolution.cpp:42 (most recent call first):\nframe #0: c10::Error");
        Assert.AreEqual("Expected 4D input, got 3D", CommandLine.ErrorText(native));
        Assert.AreEqual("the count must be positive",
            CommandLine.ErrorText(new ArgumentOutOfRangeException("count", -1, "the count must be positive")));
        Assert.AreEqual("bad", CommandLine.ErrorText(new ArgumentException("bad", "text")));
        Assert.AreEqual("a b", CommandLine.ErrorText(new InvalidDataException("a\r\nb")));

        var error = new StringWriter();
        Assert.AreEqual(1, await CommandLine.RunAsync(["bench-metrics", "--device", "tpu"], new StringWriter(), error));
        Assert.AreEqual("mlseg bench-metrics: unknown device 'tpu': use auto, cpu, cuda or cuda:N", error.ToString().Trim());
    }
}
