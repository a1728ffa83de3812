using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Models;

namespace MLNet.Segmentation.Tests.Engine;

/// <summary>
/// The CUDA-only parts (CUDA graphs, CUDA memory statistics, cuDNN's autotuner flag). Without a CUDA bridge or device
/// they must fail with a message that says so; with both, they are checked against eager results and byte counts.
/// </summary>
[TestClass]
public sealed class CudaPathTests
{
    private static bool CudaUsable => LibTorch.CudaBridgeCompiled && LibTorch.CudaIsAvailable;

    [TestMethod]
    public void WithoutACudaBridgeOrDeviceGraphsAndMemoryStatisticsSayWhy()
    {
        if (CudaUsable) Assert.Inconclusive("a CUDA bridge and device are present: the CUDA tests below run instead");
        string expected = LibTorch.CudaBridgeCompiled ? "visible CUDA device" : "CUDA libtorch";
        var memory = Assert.ThrowsExactly<TorchException>(() => CudaMemory.Statistics(Device.Cuda(0)));
        StringAssert.Contains(memory.Message, expected);
        Assert.ThrowsExactly<TorchException>(() => CudaMemory.ResetPeak(Device.Cuda(0)));
        var graph = Assert.ThrowsExactly<TorchException>(() => new CudaGraph(Device.Cuda(0)));
        StringAssert.Contains(graph.Message, expected);
        StringAssert.Contains(graph.Message, "CUDA graphs");
    }

    [TestMethod]
    public void WithoutACudaDeviceSynchronizeAndCudaGeneratorsFailWithAManagedException()
    {
        if (LibTorch.CudaIsAvailable) Assert.Inconclusive("a CUDA device is present");
        Assert.AreEqual(0, LibTorch.CudaDeviceCount);
        StringAssert.Contains(Assert.ThrowsExactly<TorchException>(() => LibTorch.CudaSynchronize()).Message, "cuda_synchronize");
        Assert.ThrowsExactly<TorchException>(() => Generator.Default(Device.Cuda(0)));
        Assert.ThrowsExactly<TorchException>(() => new Generator(1, Device.Cuda(0)));
    }

    [TestMethod]
    public void CpuDevicesAreRefusedBeforeReachingTheBridge()
    {
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => CudaMemory.Statistics(Device.Cpu)).Message, "CUDA device, got cpu");
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new CudaGraph(Device.Cpu)).Message, "CUDA device, got cpu");
        Assert.ThrowsExactly<ArgumentException>(() => new CudaGraphForward(x => x, Device.Cpu));
        using var model = ModelCatalog.Create("unet", new ModelBuildSettings(3, 3, 16));
        var options = new PredictorOptions { CudaGraphs = true, Device = Device.Cpu };
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => new SegmentationPredictor(model, options)).Message, "CudaGraphs needs a CUDA device");
    }

    [TestMethod]
    public void CudnnBenchmarkFlagRoundTrips()
    {
        bool original = LibTorch.CudnnBenchmark;
        try
        {
            LibTorch.CudnnBenchmark = !original;
            Assert.AreEqual(!original, LibTorch.CudnnBenchmark);
            LibTorch.CudnnBenchmark = original;
            Assert.AreEqual(original, LibTorch.CudnnBenchmark);
        }
        finally
        {
            LibTorch.CudnnBenchmark = original;
        }
    }

    [TestMethod]
    public void CudaMemoryCountsALiveTensorAndItsRelease()
    {
        if (!CudaUsable) Assert.Inconclusive("needs a CUDA bridge and device");
        var device = Device.Cuda(0);
        LibTorch.CudaSynchronize();
        var before = CudaMemory.Statistics(device);
        CudaMemory.ResetPeak(device);
        const long bytes = 8L << 20;
        using (var tensor = Tensor.Zeros([bytes / 4], device: device))
        {
            var during = CudaMemory.Statistics(device);
            Assert.AreEqual(before.AllocatedBytes + bytes, during.AllocatedBytes);
            Assert.IsTrue(during.PeakAllocatedBytes >= during.AllocatedBytes);
            Assert.IsTrue(during.ReservedBytes >= during.AllocatedBytes);
        }
        var after = CudaMemory.Statistics(device);
        Assert.AreEqual(before.AllocatedBytes, after.AllocatedBytes);
        Assert.IsTrue(after.PeakAllocatedBytes >= before.AllocatedBytes + bytes, "the peak remembers the freed tensor");
    }

    [TestMethod]
    public void AReplayedGraphComputesWithTheStaticInputsNewValues()
    {
        if (!CudaUsable) Assert.Inconclusive("needs a CUDA bridge and device");
        var device = Device.Cuda(0);
        using var scope = DisposeScope.Enter();
        var input = Tensor.Arange(0, 1024, 1, DType.Float32, device);
        Tensor? output = null;
        using var graph = new CudaGraph(device);
        graph.RunOnSideStream(() => _ = input * 2 + 1);
        graph.Capture(() => output = input * 2 + 1);
        Assert.ThrowsExactly<InvalidOperationException>(() => graph.Capture(() => { }));

        input.CopyFrom(Tensor.Full([1024], 3, device: device));
        graph.Replay();
        LibTorch.CudaSynchronize();
        Assert.IsTrue(output!.Equal(Tensor.Full([1024], 7, device: device)));
    }

    [TestMethod]
    public void GraphForwardOfAUNetMatchesEagerForEachShape()
    {
        if (!CudaUsable) Assert.Inconclusive("needs a CUDA bridge and device");
        var device = Device.Cuda(0);
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(3);
        using var model = ModelCatalog.Create("unet", new ModelBuildSettings(4, 3, 16, generator));
        model.To(device);
        model.Eval();
        using var noGrad = Autograd.NoGrad();
        using var graphs = new CudaGraphForward(model.Forward, device);
        foreach (long size in new long[] { 64, 64, 96 })
        {
            var images = Tensor.Rand([2, 3, size, size], generator).To(device);
            var expected = model.Forward(images);
            Assert.IsTrue(graphs.Run(images).AllClose(expected, 1e-4, 1e-5), $"size {size}");
        }
        Assert.AreEqual(2, graphs.GraphCount, "one graph per input shape");
        Assert.ThrowsExactly<ArgumentException>(() => graphs.Run(Tensor.Zeros([2, 3, 64, 64])));
    }

    [TestMethod]
    public void PredictorWithGraphsAndFloat16PredictsWhatEagerFloat32Predicts()
    {
        if (!CudaUsable) Assert.Inconclusive("needs a CUDA bridge and device");
        var device = Device.Cuda(0);
        using var scope = DisposeScope.Enter();
        using var generator = new Generator(8);
        using var model = ModelCatalog.Create("unet", new ModelBuildSettings(4, 3, 16, generator));
        var images = Tensor.Rand([2, 3, 64, 64], generator);
        using var eager = new SegmentationPredictor(model, new PredictorOptions { Device = device });
        using var graphed = new SegmentationPredictor(model, new PredictorOptions { Device = device, CudaGraphs = true, AutocastDType = DType.Float16 });
        using var expected = eager.Predict(images);
        using var first = graphed.Predict(images);
        using var second = graphed.Predict(images);
        Assert.AreEqual(DType.Float32, first.Probabilities.DType);
        Assert.IsTrue(first.Probabilities.AllClose(expected.Probabilities, 0, 5e-3));
        Assert.IsTrue(second.Probabilities.Equal(first.Probabilities), "a replay repeats the captured computation exactly");
    }
}
