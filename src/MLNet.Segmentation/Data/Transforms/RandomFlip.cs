using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Mirrors image and mask left-right with probability <see cref="Probability"/>.</summary>
public sealed class RandomHorizontalFlip(double probability = 0.5) : IJointTransform
{
    /// <summary>Chance of flipping.</summary>
    public double Probability { get; } = probability is >= 0 and <= 1 ? probability : throw new ArgumentOutOfRangeException(nameof(probability));

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator) =>
        RandomDraw.Chance(generator, Probability) ? (image.flip(-1), mask.flip(-1)) : (image, mask);
}

/// <summary>Mirrors image and mask top-bottom with probability <see cref="Probability"/>.</summary>
public sealed class RandomVerticalFlip(double probability = 0.5) : IJointTransform
{
    /// <summary>Chance of flipping.</summary>
    public double Probability { get; } = probability is >= 0 and <= 1 ? probability : throw new ArgumentOutOfRangeException(nameof(probability));

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator) =>
        RandomDraw.Chance(generator, Probability) ? (image.flip(-2), mask.flip(-2)) : (image, mask);
}
