using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>Reads --device auto|cpu|cuda|cuda:N (auto = CUDA when available, else CPU).</summary>
public static class DeviceArgument
{
    /// <summary>The device, or null for auto.</summary>
    public static Device? Parse(Arguments args)
    {
        string text = (args.String("--device") ?? "auto").ToLowerInvariant();
        if (text == "auto") return null;
        if (text == "cpu") return Device.Cpu;
        if (text == "cuda" || text.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!LibTorch.CudaIsAvailable) throw new InvalidOperationException($"--device {text}: this libtorch has no usable CUDA device");
            int index = 0;
            if (text.Length > 5 && !int.TryParse(text[5..], out index)) throw args.Usage($"--device {text}: expected cuda:N");
            return Device.Cuda(index);
        }
        throw args.Usage($"--device must be auto, cpu, cuda or cuda:N, got '{text}'");
    }
}
