using static TorchSharp.torch;

namespace MLNet.Segmentation.Data;

/// <summary>
/// One training example: a float32 C x H x W image (values in [0, 1] before normalization), an int64 H x W
/// mask of class ids, and a name (usually the file stem). Disposing it disposes both tensors.
/// </summary>
public sealed class SegmentationSample(Tensor image, Tensor mask, string name) : IDisposable
{
    /// <summary>The C x H x W float32 image.</summary>
    public Tensor Image { get; } = image ?? throw new ArgumentNullException(nameof(image));

    /// <summary>The H x W int64 class ids.</summary>
    public Tensor Mask { get; } = mask ?? throw new ArgumentNullException(nameof(mask));

    /// <summary>A name for messages and outputs, e.g. the image's file stem.</summary>
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    /// <summary>Disposes the image and mask tensors.</summary>
    public void Dispose()
    {
        Image.Dispose();
        Mask.Dispose();
    }
}
