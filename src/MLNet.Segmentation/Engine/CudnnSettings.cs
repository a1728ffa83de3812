namespace MLNet.Segmentation.Engine;

/// <summary>cuDNN switches that TorchSharp 0.107 does not wrap (TF32 is <c>torch.backends.cudnn.allow_tf32</c>).</summary>
public static class CudnnSettings
{
    /// <summary>
    /// cuDNN's autotuner (torch.backends.cudnn.benchmark, off by default): each new convolution shape tries cuDNN's
    /// algorithms once and keeps the fastest. Pays off for fixed shapes; a flag only, without effect on the CPU. Linux only.
    /// </summary>
    public static bool Benchmark
    {
        get
        {
            LibTorchExports.RequireLinux("cudnn benchmark");
            return LibTorchExports.benchmarkCuDNN(LibTorchExports.globalContext()) != 0;
        }
        set
        {
            LibTorchExports.RequireLinux("cudnn benchmark");
            LibTorchExports.setBenchmarkCuDNN(LibTorchExports.globalContext(), value ? (byte)1 : (byte)0);
        }
    }
}
