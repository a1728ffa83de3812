using TorchSharp;

namespace MLNet.Segmentation.Engine;

/// <summary>Device names and the rules that pick one (as ML.NET's TorchSharp trainers do).</summary>
public static class Devices
{
    /// <summary>
    /// "auto" (CUDA device 0 when available, else the CPU), "cpu", "cuda" or "cuda:N". A CUDA device that this libtorch
    /// or machine does not have is an error naming it, never a native failure later.
    /// </summary>
    public static torch.Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "auto") return TorchRuntime.CudaIsAvailable ? torch.CUDA : torch.CPU;
        if (t == "cpu") return torch.CPU;
        int index = 0;
        if (t != "cuda")
        {
            if (!t.StartsWith("cuda:", StringComparison.Ordinal) || !int.TryParse(t[5..], out index) || index < 0)
                throw new ArgumentException($"unknown device '{text}': use auto, cpu, cuda or cuda:N", nameof(text));
        }
        return Cuda(index);
    }

    /// <summary>CUDA device <paramref name="index"/>, checked against the devices libtorch sees.</summary>
    public static torch.Device Cuda(int index)
    {
        int count = TorchRuntime.CudaDeviceCount;
        if (count == 0)
            throw new ArgumentException("CUDA is not available: the loaded libtorch has no CUDA or no GPU is visible " +
                "(reference TorchSharp-cuda-linux or TorchSharp-cuda-windows instead of the CPU backend)");
        if (index >= count) throw new ArgumentException($"CUDA device {index} does not exist: {count} device(s) are visible");
        return new torch.Device(DeviceType.CUDA, index);
    }

    /// <summary>
    /// ML.NET's rule: <paramref name="gpuDeviceId"/> (MLContext.GpuDeviceId) picks that CUDA device; when it is not
    /// available the CPU is used if <paramref name="fallbackToCpu"/>, else it is an error. Null means the CPU.
    /// </summary>
    public static torch.Device FromMLContext(int? gpuDeviceId, bool fallbackToCpu)
    {
        if (gpuDeviceId is not int id) return torch.CPU;
        if (id < 0) throw new ArgumentOutOfRangeException(nameof(gpuDeviceId), id, "the GPU device id must not be negative");
        if (id < TorchRuntime.CudaDeviceCount) return new torch.Device(DeviceType.CUDA, id);
        if (fallbackToCpu) return torch.CPU;
        throw new InvalidOperationException($"GPU device {id} was asked for (MLContext.GpuDeviceId) but {TorchRuntime.CudaDeviceCount} CUDA device(s) are visible; " +
            "set MLContext.FallbackToCpu = true to train on the CPU instead");
    }

    /// <summary>"cpu" or "cuda:N".</summary>
    public static string Name(torch.Device device) => device.type == DeviceType.CPU ? "cpu" : $"cuda:{Math.Max(0, device.index)}";
}
