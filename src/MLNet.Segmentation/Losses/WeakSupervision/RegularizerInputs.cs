using MLNet.Segmentation.Engine;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>Shape checks shared by the image regularizers.</summary>
internal static class RegularizerInputs
{
    internal static void Validate(Tensor logits, Tensor image, string name)
    {
        if (logits.Dim != 4) throw new ArgumentException($"{name}: logits must be N x K x H x W, got {logits.ShapeString}", nameof(logits));
        if (image.Dim != 4 || image.Size(0) != logits.Size(0) || image.Size(2) != logits.Size(2) || image.Size(3) != logits.Size(3))
            throw new ArgumentException($"{name}: image must be N x C x {logits.Size(2)} x {logits.Size(3)} with N = {logits.Size(0)}, got {image.ShapeString}", nameof(image));
    }
}
