using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models.Backbones;

/// <summary>
/// Builds the mirror image of a <see cref="Vgg16Backbone"/> for unpooling decoders (SegNet, DeconvNet): one
/// Sequential per stage, deepest first; each stage keeps the encoder stage's width and its last layer narrows to the
/// width of the stage above (the first stage keeps its width for the classifier).
/// </summary>
internal static class VggDecoder
{
    internal static Sequential Build(Vgg16Backbone encoder, bool transposed, bool batchNorm, Generator? generator)
    {
        var decoder = new Sequential();
        for (int stage = Vgg16Backbone.Stages.Count - 1; stage >= 0; stage--)
        {
            long width = encoder.StageChannels[stage];
            long target = stage == 0 ? width : encoder.StageChannels[stage - 1];
            int count = Vgg16Backbone.Stages[stage].Convolutions;
            var block = new Sequential();
            for (int i = 0; i < count; i++)
            {
                long outChannels = i == count - 1 ? target : width;
                block.Add(transposed
                    ? new ConvTranspose2d(width, outChannels, 3, padding: 1, bias: !batchNorm, generator: generator)
                    : new Conv2d(width, outChannels, 3, padding: 1, bias: !batchNorm, generator: generator));
                if (batchNorm) block.Add(new BatchNorm2d(outChannels));
                block.Add(new ReLU(inPlace: true));
            }
            decoder.Add(block);
        }
        return decoder;
    }
}
