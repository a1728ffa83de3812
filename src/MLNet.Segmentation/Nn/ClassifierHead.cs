using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Nn;

/// <summary>A 1x1 convolution producing per-pixel class logits (a segmentation classifier head).</summary>
public static class ClassifierHead
{
    /// <summary>A 1x1 convolution from <paramref name="inChannels"/> to <paramref name="numClasses"/>, optionally zero-initialized (as FCN's skip scores).</summary>
    public static SafeConv2d Create(long inChannels, long numClasses, bool zeroInit = false)
    {
        var conv = Layers.Conv2d(inChannels, numClasses, 1);
        if (zeroInit)
        {
            using (no_grad())
            {
                conv.weight.fill_(OwnedScalars.Zero);
                conv.bias!.fill_(OwnedScalars.Zero);
            }
        }
        return conv;
    }
}
