using TorchSharp.Modules;

namespace MLNet.Segmentation.Nn;

/// <summary>
/// A module whose forward feeds a convolution's output straight into a BatchNorm and nowhere else (ResNet's blocks and
/// stem): it names those pairs, so <see cref="BatchNormFusion"/> can fold them. Sequential containers need no such
/// declaration: there each layer's output goes only to the next.
/// </summary>
public interface IConvBatchNormPairs
{
    /// <summary>The (convolution, BatchNorm) pairs of this module itself, not of its children.</summary>
    IEnumerable<(Convolution Convolution, SafeBatchNorm2d BatchNorm)> ConvBatchNormPairs();
}
