using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>Reads --device auto|cpu|cuda|cuda:N (auto = CUDA when available, else CPU).</summary>
public static class DeviceArgument
{
    /// <summary>
    /// The device, or null for auto. A malformed value is a usage error; a CUDA device this libtorch cannot reach is a
    /// failure (<see cref="Devices.Parse"/>'s <see cref="ArgumentException"/>).
    /// </summary>
    public static Device? Parse(Arguments args)
    {
        string text = (args.String("--device") ?? "auto").Trim().ToLowerInvariant();
        if (text == "auto") return null;
        bool wellFormed = text is "cpu" or "cuda" || (text.StartsWith("cuda:", StringComparison.Ordinal) && text.Length > 5 && text[5..].All(char.IsAsciiDigit));
        if (!wellFormed) throw args.Usage($"--device must be auto, cpu, cuda or cuda:N, got '{text}'");
        return Devices.Parse(text);
    }
}
