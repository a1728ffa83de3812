using MLNet.Segmentation.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Nn;

/// <summary>
/// (5) of <see cref="OneDnnChannelPadding"/>: channels-last CPU inputs, which kill the process with SIGFPE in oneDNN's
/// 1x1 kernels to 1024 and 2048 channels, are made contiguous first and give the contiguous input's result. The
/// layers run in a fresh process, so that a regression fails this test instead of killing the test host.
/// </summary>
[TestClass]
public sealed class ChannelsLastInputTests
{
    internal const string Job = "channels-last-input";

    /// <summary>Each case: the largest relative error of a channels-last input's result against the contiguous one's.</summary>
    internal static int Run()
    {
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        var toChannelsLast = torch.jit.compile("def last(x: Tensor):\n    return x.contiguous(memory_format=2)\n");
        foreach (var (inChannels, outChannels, size, stride, batch) in new (long, long, long, long, long)[]
                 { (256, 1024, 16, 1, 1), (512, 1024, 8, 2, 1), (1024, 2048, 8, 2, 2), (512, 1024, 16, 2, 8) })
        {
            using var one = NewDisposeScope();
            using var layer = Layers.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
            var x = randn(batch, inChannels, size, size);
            var last = (Tensor)toChannelsLast.invoke("last", x);
            if (last.is_contiguous()) throw new InvalidOperationException("TorchScript did not return a channels-last tensor");
            using (no_grad())
                Console.WriteLine($"{inChannels}->{outChannels} stride {stride} batch {batch} error {TensorAssert.RelativeError(layer.call(last), layer.call(x)).ToString("E1", System.Globalization.CultureInfo.InvariantCulture)}");
        }
        return 0;
    }

    [TestMethod]
    public void ChannelsLastInputsGiveTheContiguousResultWithoutKillingTheProcess()
    {
        var (exitCode, output, error) = ChildProcess.RunTestAssembly(Job);
        Assert.AreEqual(0, exitCode, $"exit {exitCode} (136 = SIGFPE): {error}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.AreEqual(4, lines.Length, output);
        foreach (string line in lines)
            Assert.IsTrue(double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture) < 1e-6, line);
    }
}
