using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Samples;

namespace MLNet.Segmentation.Tests.Engine;

[TestClass]
public sealed class RuntimeTests
{
    [TestMethod]
    public void ThreadsDefaultToTheCoreCountAndCanBeChanged()
    {
        Assert.AreEqual(LibTorch.DefaultThreadCount(), LibTorch.Threads);
        int original = LibTorch.Threads;
        try
        {
            LibTorch.Threads = 1;
            Assert.AreEqual(1, LibTorch.Threads);
        }
        finally
        {
            LibTorch.Threads = original;
        }
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => LibTorch.Threads = 0);
    }

    [TestMethod]
    public void VersionAndCudaQueriesAnswer()
    {
        StringAssert.Matches(LibTorch.Version, new System.Text.RegularExpressions.Regex(@"^\d+\.\d+"));
        int devices = LibTorch.CudaDeviceCount;
        Assert.AreEqual(devices > 0, LibTorch.CudaIsAvailable);
        Assert.AreEqual(LibTorch.CudaIsAvailable ? Device.Cuda(0) : Device.Cpu, LibTorch.DefaultDevice);
    }

    [TestMethod]
    public async Task InfoCommandPrintsVersionCudaDevicesAndThreads()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exit = await CommandLine.RunAsync(["info"], output, error);
        Assert.AreEqual(0, exit, error.ToString());
        string text = output.ToString();
        StringAssert.Contains(text, $"libtorch version:  {LibTorch.Version}");
        StringAssert.Contains(text, $"CUDA available:    {(LibTorch.CudaIsAvailable ? "yes" : "no")}");
        StringAssert.Contains(text, $"CUDA devices:      {LibTorch.CudaDeviceCount}");
        StringAssert.Contains(text, $"CUDA in bridge:    {(LibTorch.CudaBridgeCompiled ? "yes" : "no")}");
        StringAssert.Contains(text, $"CPU threads:       {LibTorch.Threads}");
    }

    [TestMethod]
    public async Task UnknownCommandFailsWithUsageExitCode()
    {
        var error = new StringWriter();
        int exit = await CommandLine.RunAsync(["frobnicate"], new StringWriter(), error);
        Assert.AreEqual(2, exit);
        StringAssert.Contains(error.ToString(), "unknown command 'frobnicate'");
    }

    [TestMethod]
    public void DeviceParsing()
    {
        Assert.AreEqual(Device.Cpu, Device.Parse("CPU"));
        Assert.AreEqual(Device.Cuda(1), Device.Parse("cuda:1"));
        Assert.AreEqual("cuda:1", Device.Cuda(1).ToString());
        Assert.ThrowsExactly<FormatException>(() => Device.Parse("tpu"));
    }

    [TestMethod]
    public void SeededGeneratorsReproduceAndRestoreState()
    {
        using var scope = DisposeScope.Enter();
        using var a = new Generator(42);
        using var b = new Generator(42);
        CollectionAssert.AreEqual(Tensor.Randn([5], a).ToArray<float>(), Tensor.Randn([5], b).ToArray<float>());

        byte[] state = a.GetState();
        var first = Tensor.Rand([4], a).ToArray<float>();
        a.SetState(state);
        CollectionAssert.AreEqual(first, Tensor.Rand([4], a).ToArray<float>());

        LibTorch.ManualSeed(7);
        var global1 = Tensor.Randn([3]).ToArray<float>();
        LibTorch.ManualSeed(7);
        CollectionAssert.AreEqual(global1, Tensor.Randn([3]).ToArray<float>());
        var perm = Tensor.RandPerm(10, a).ToArray<long>();
        CollectionAssert.AreEquivalent(Enumerable.Range(0, 10).Select(i => (long)i).ToArray(), perm);
    }

    [TestMethod]
    public void NoGradScopeStopsRecording()
    {
        using var scope = DisposeScope.Enter();
        var x = Tensor.Ones([2]).RequiresGrad_();
        Assert.IsTrue(Autograd.IsEnabled);
        using (Autograd.NoGrad())
        {
            Assert.IsFalse(Autograd.IsEnabled);
            Assert.IsFalse((x * 2).RequiresGrad);
        }
        Assert.IsTrue(Autograd.IsEnabled);
        var y = (x * x).Sum();
        Assert.IsTrue(y.RequiresGrad);
        y.Backward();
        CollectionAssert.AreEqual(new[] { 2f, 2f }, x.Grad!.ToArray<float>());
        Assert.IsTrue(x.IsLeaf);
        Assert.IsFalse(y.IsLeaf);
        x.ZeroGrad();
        Assert.IsNull(x.Grad);
        Assert.IsFalse(y.Detach().RequiresGrad);
    }
}
