using static TorchSharp.torch;

namespace MLNet.Segmentation.Models.Backbones;

/// <summary>Max unpooling with the indices of a VGG stage's 2x2 pooling, back to the stage's exact pre-pooling size.</summary>
internal static class Unpooling
{
    /// <remarks>
    /// libtorch's C++ max_unpool2d accepts an output size only as N, C, H, W (a 2-element H, W trips its check), so the
    /// full size is passed.
    /// </remarks>
    internal static Tensor MaxUnpool(Tensor input, VggStage stage) =>
        nn.functional.max_unpool2d(input, stage.Indices, [2, 2], [2, 2], [0, 0],
            [input.size(0), input.size(1), stage.Height, stage.Width]);
}
