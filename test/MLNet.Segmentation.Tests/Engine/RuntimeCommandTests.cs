using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// The `mlseg info` command (the Samples project). PORTING: excluded from the build until the Samples project is on
/// TorchSharp; the expected lines are those of the old command with TorchRuntime's names (the old "CUDA in bridge" line
/// has no counterpart now that there is no bridge).
/// </summary>
[TestClass]
public sealed class RuntimeCommandTests
{
    [TestMethod]
    public async Task InfoCommandPrintsVersionsCudaDevicesAndThreads()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CommandLine.RunAsync(["info"], output, error);
        Assert.AreEqual(0, exit, error.ToString());
        string text = output.ToString();
        StringAssert.Contains(text, TorchRuntime.TorchSharpVersion);
        StringAssert.Contains(text, $"libtorch version:  {TorchRuntime.LibTorchVersion}");
        StringAssert.Contains(text, $"CUDA available:    {(TorchRuntime.CudaIsAvailable ? "yes" : "no")}");
        StringAssert.Contains(text, $"CUDA devices:      {TorchRuntime.CudaDeviceCount}");
        StringAssert.Contains(text, $"CPU threads:       {TorchRuntime.Threads}");
    }

    [TestMethod]
    public async Task UnknownCommandFailsWithUsageExitCode()
    {
        var error = new StringWriter();
        int exit = await CommandLine.RunAsync(["frobnicate"], new StringWriter(), error);
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error.ToString(), "unknown command 'frobnicate'");
    }
}
