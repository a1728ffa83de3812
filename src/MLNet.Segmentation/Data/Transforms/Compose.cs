using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>Applies transforms in order.</summary>
public sealed class Compose(params IJointTransform[] transforms) : IJointTransform
{
    /// <summary>The transforms, in application order.</summary>
    public IReadOnlyList<IJointTransform> Transforms { get; } = transforms ?? throw new ArgumentNullException(nameof(transforms));

    /// <inheritdoc />
    public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
    {
        foreach (var transform in Transforms) (image, mask) = transform.Apply(image, mask, generator);
        return (image, mask);
    }
}
