using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models.Backbones;

/// <summary>
/// Builds the mirror image of a <see cref="Vgg16Backbone"/> for unpooling decoders (SegNet, DeconvNet): one
/// Sequential per stage, deepest first; each stage keeps the encoder stage's width and its last layer narrows to the
/// width of the stage above (the first stage keeps its width for the classifier).
/// </summary>
internal static class VggDecoder
{
    internal static ModuleList<Sequential> Build(Vgg16Backbone encoder, bool transposed, bool batchNorm)
    {
        var decoder = new ModuleList<Sequential>();
        for (int stage = Vgg16Backbone.Stages.Count - 1; stage >= 0; stage--)
        {
            long width = encoder.StageChannels[stage];
            long target = stage == 0 ? width : encoder.StageChannels[stage - 1];
            int count = Vgg16Backbone.Stages[stage].Convolutions;
            var block = nn.Sequential();
            for (int i = 0; i < count; i++)
            {
                long outChannels = i == count - 1 ? target : width;
                block.append(transposed
                    ? Layers.ConvTranspose2d(width, outChannels, 3, padding: 1, bias: !batchNorm)
                    : Layers.Conv2d(width, outChannels, 3, padding: 1, bias: !batchNorm));
                if (batchNorm) block.append(Layers.BatchNorm2d(outChannels));
                block.append(nn.ReLU(inplace: true));
            }
            decoder.Add(block);
        }
        return decoder;
    }
}
