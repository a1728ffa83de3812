using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Per-channel (image - mean) / std; the mask is unchanged.</summary>
public sealed class Normalize : IJointTransform
{
    /// <summary>Normalization with one mean and standard deviation per channel.</summary>
    public Normalize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length) throw new ArgumentException("mean and std need the same, non-zero length");
        if (std.Any(s => !(s > 0))) throw new ArgumentOutOfRangeException(nameof(std), "standard deviations must be positive");
        (Mean, Std) = ((float[])mean.Clone(), (float[])std.Clone());
    }

    /// <summary>ImageNet's RGB statistics (for pretrained encoders).</summary>
    public static Normalize ImageNet => new([0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);

    /// <summary>Channel means.</summary>
    public IReadOnlyList<float> Mean { get; }

    /// <summary>Channel standard deviations.</summary>
    public IReadOnlyList<float> Std { get; }

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        if (image.size(0) != Mean.Count)
            throw new ArgumentException($"Normalize has {Mean.Count} channel statistics but the image has {image.size(0)} channels", nameof(image));
        using var mean = Engine.TensorData.FromSpan<float>(Mean.ToArray(), [Mean.Count, 1, 1], image.device);
        using var scale = Engine.TensorData.FromSpan<float>(Std.Select(s => 1f / s).ToArray(), [Std.Count, 1, 1], image.device);
        using var centred = image - mean;
        return (centred * scale, mask);
    }
}
