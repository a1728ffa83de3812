using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models;

/// <summary>
/// SegNet (Badrinarayanan et al.): a VGG-16(-BN) encoder ("encoder.features.*", torchvision names) whose max-pooling
/// indices drive the decoder's unpooling; "decoder.{0..4}" (deepest first) are the mirrored 3x3 convolutions with
/// BatchNorm and ReLU, and "classifier" is 1x1 to K. Unpooling restores each stage's exact pre-pooling size, so odd
/// sizes work; inputs smaller than 32 pixels are zero-padded at the bottom/right and the logits cropped back.
/// </summary>
public sealed class SegNet : SegmentationModel
{
    /// <summary>A SegNet for <paramref name="numClasses"/> classes.</summary>
    public SegNet(long numClasses, SegNetOptions? options = null, Generator? generator = null)
        : base((options ?? new SegNetOptions()).InChannels, numClasses)
    {
        Options = options ?? new SegNetOptions();
        Encoder = RegisterModule("encoder", new Vgg16Backbone(Options.InChannels, Options.BatchNorm, Options.WidthDivisor, generator));
        Decoder = RegisterModule("decoder", VggDecoder.Build(Encoder, transposed: false, Options.BatchNorm, generator));
        RegisterModule("classifier", new ClassifierHead(Encoder.StageChannels[0], numClasses, generator: generator));
    }

    /// <summary>The options it was built with.</summary>
    public SegNetOptions Options { get; }

    /// <summary>The VGG-16 encoder.</summary>
    public Vgg16Backbone Encoder { get; }

    /// <summary>The decoder stages, deepest first.</summary>
    public Sequential Decoder { get; }

    /// <inheritdoc />
    public override string Architecture => "SegNet";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        long h = input.Size(2), w = input.Size(3);
        var stages = Encoder.ForwardStages(SpatialFit.PadToAtLeast(input, 32));
        var y = stages[^1].Pooled;
        for (int i = 0; i < Decoder.Count; i++)
        {
            var stage = stages[stages.Count - 1 - i];
            y = Decoder[i].Forward(Functional.MaxUnpool2d(y, stage.Indices, stage.InputSize));
        }
        return SpatialFit.CropTopLeft(Child("classifier").Forward(y), h, w);
    }
}
