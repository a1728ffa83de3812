using static TorchSharp.torch;

namespace MLNet.Segmentation.Data;

/// <summary>
/// A batch from the <see cref="DataLoader"/>: float32 N x C x H x W images and int64 N x H x W masks.
/// The tensors belong to no TorchSharp dispose scope (they are made on loader threads, whose scopes are their own, and
/// detached): the consumer owns the batch and must dispose it (or attach the tensors to a scope of its own).
/// </summary>
public sealed class SegmentationBatch(Tensor images, Tensor masks, IReadOnlyList<string> names, IReadOnlyList<int> indices) : IDisposable
{
    /// <summary>N x C x H x W float32 images.</summary>
    public Tensor Images { get; } = images;

    /// <summary>N x H x W int64 class ids.</summary>
    public Tensor Masks { get; } = masks;

    /// <summary>The samples' names.</summary>
    public IReadOnlyList<string> Names { get; } = names;

    /// <summary>The samples' dataset indices.</summary>
    public IReadOnlyList<int> Indices { get; } = indices;

    /// <summary>Number of samples (N).</summary>
    public int Count => Indices.Count;

    /// <summary>Disposes both tensors.</summary>
    public void Dispose()
    {
        Images.Dispose();
        Masks.Dispose();
    }
}
