namespace MLNet.Segmentation.Engine;

/// <summary>Kinds of device (values match libtorch's c10::DeviceType).</summary>
public enum DeviceType
{
    /// <summary>The host processor.</summary>
    Cpu = 0,
    /// <summary>An NVIDIA GPU.</summary>
    Cuda = 1,
}

/// <summary>Where a tensor lives: the CPU or one CUDA device.</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    /// <summary>The CPU.</summary>
    public static Device Cpu { get; } = new(DeviceType.Cpu);

    /// <summary>CUDA device <paramref name="index"/>.</summary>
    public static Device Cuda(int index = 0) => new(DeviceType.Cuda, index);

    /// <summary>True for the CPU.</summary>
    public bool IsCpu => Type == DeviceType.Cpu;

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().ToLowerInvariant();
        if (t == "cpu") return Cpu;
        if (t == "cuda" || t == "gpu") return Cuda(0);
        if (t.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(t.AsSpan(5), out int index) && index >= 0)
            return Cuda(index);
        throw new FormatException($"'{text}' is not a device: use cpu, cuda or cuda:N");
    }

    /// <summary>
    /// This CUDA device's index (-1 read as 0), for an API that needs CUDA (<paramref name="what"/>, plural, as in
    /// "CUDA graphs"); any other device is an <see cref="ArgumentException"/> for <paramref name="parameterName"/>.
    /// </summary>
    internal int CudaIndexFor(string what, string parameterName) =>
        Type == DeviceType.Cuda ? Math.Max(Index, 0) : throw new ArgumentException($"{what} need a CUDA device, got {this}", parameterName);

    /// <inheritdoc />
    public override string ToString() => Type == DeviceType.Cpu ? "cpu" : Index < 0 ? "cuda" : $"cuda:{Index}";
}
