using MLNet.Segmentation.Engine;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// A semantic-segmentation network, a TorchSharp module: N x <see cref="InChannels"/> x H x W images in,
/// N x <see cref="NumClasses"/> x H x W logits out, at the input resolution for any H and W. It can sit inside any
/// TorchSharp module, and its <c>state_dict()</c> names are PyTorch's.
/// </summary>
public abstract class SegmentationModel : nn.Module<Tensor, Tensor>
{
    /// <summary>Records the channel and class counts.</summary>
    protected SegmentationModel(string name, long inChannels, long numClasses) : base(name)
    {
        TorchRuntime.EnsureInitialized();
        if (inChannels <= 0) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "input channels must be positive");
        if (numClasses <= 0) throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses, "the class count must be positive");
        InChannels = inChannels;
        NumClasses = numClasses;
    }

    /// <summary>Image channels expected (3 for RGB).</summary>
    public long InChannels { get; }

    /// <summary>Classes predicted (logit channels).</summary>
    public long NumClasses { get; }

    /// <summary>The architecture's name, e.g. "FCN-8s".</summary>
    public abstract string Architecture { get; }

    /// <summary>Class ids (N x H x W, int64) by arg-max of the logits, without recording gradients.</summary>
    public Tensor Predict(Tensor images)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        return forward(images).argmax(1).MoveToOuterDisposeScope();
    }

    /// <summary>Throws unless <paramref name="input"/> is N x InChannels x H x W.</summary>
    protected void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.size(1) != InChannels)
            throw new ArgumentException($"{Architecture} expects N x {InChannels} x H x W input, got {TensorData.ShapeOf(input)}", nameof(input));
    }
}
