using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>Shape checks shared by the image regularizers.</summary>
internal static class RegularizerInputs
{
    internal static void Validate(Tensor logits, Tensor image, string name)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(image);
        if (logits.dim() != 4) throw new ArgumentException($"{name}: logits must be N x K x H x W, got {TensorData.ShapeOf(logits)}", nameof(logits));
        if (image.dim() != 4 || image.size(0) != logits.size(0) || image.size(2) != logits.size(2) || image.size(3) != logits.size(3))
            throw new ArgumentException($"{name}: image must be N x C x {logits.size(2)} x {logits.size(3)} with N = {logits.size(0)}, got {TensorData.ShapeOf(image)}", nameof(image));
    }
}
