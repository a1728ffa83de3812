using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>
/// An unsupervised loss on the network's predictions that depends on the input image (e.g. a CRF-like smoothness term).
/// The regularizers of this folder are also TorchSharp modules, <c>nn.Module&lt;Tensor, Tensor, Tensor&gt;</c> called
/// with (logits, image).
/// </summary>
public interface IImageRegularizer
{
    /// <summary>
    /// The regularizer (a scalar tensor with autograd history) of <paramref name="logits"/> (N x K x H x W) given the
    /// <paramref name="image"/> (N x C x H x W; not differentiated).
    /// </summary>
    Tensor Compute(Tensor logits, Tensor image);
}
