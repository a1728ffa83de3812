using static TorchSharp.torch;

namespace MLNet.Segmentation.Data.Transforms;

/// <summary>
/// A transform applied jointly to an image (float32 C x H x W) and its mask (int64 H x W), drawing all
/// random parameters from the given <see cref="Generator"/> so that a seed reproduces it and the image and mask
/// move together. Geometric changes sample masks by nearest neighbour only, so a mask never gains a value
/// that was not in it (except the ignore id where a transform pads). Implemented with tensor ops: it runs
/// on the device of the tensors (the generator must be on that device too).
/// Transforms return new tensors and never dispose their inputs; run them inside a TorchSharp dispose scope
/// (<c>torch.NewDisposeScope()</c>) to release intermediates.
/// </summary>
public interface IJointTransform
{
    /// <summary>Transforms one image/mask pair.</summary>
    (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator);
}
