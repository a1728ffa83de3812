using static TorchSharp.torch;

namespace MLNet.Segmentation.Losses.WeakSupervision;

/// <summary>
/// Base of the image regularizers as TorchSharp modules: <c>forward(logits, image)</c> (or <c>call</c>, with hooks)
/// returns the scalar regularizer, and <see cref="Compute"/> is the same call through <see cref="IImageRegularizer"/>.
/// </summary>
public abstract class ImageRegularizer : nn.Module<Tensor, Tensor, Tensor>, IImageRegularizer
{
    /// <summary>A regularizer module named <paramref name="name"/>.</summary>
    protected ImageRegularizer(string name) : base(name)
    {
    }

    /// <summary>The regularizer of <paramref name="logits"/> given <paramref name="image"/>: <c>call(logits, image)</c>.</summary>
    public Tensor Compute(Tensor logits, Tensor image) => call(logits, image);
}
