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
        var padded = SpatialFit.PadToAtLeast(input, 32);
        var stages = Encoder.ForwardStages(padded);
        Intermediate.Release(padded, input);
        // Only the deepest pooled output and the pooling indices are used from here on.
        for (int i = 0; i < stages.Count - 1; i++) Intermediate.Release(stages[i].Pooled, input);
        var y = stages[^1].Pooled;
        for (int i = 0; i < Decoder.Count; i++)
        {
            var stage = stages[stages.Count - 1 - i];
            var unpooled = Functional.MaxUnpool2d(y, stage.Indices, stage.InputSize);
            Intermediate.Release(y, input);
            stage.Indices.Dispose();
            y = Decoder[i].Forward(unpooled);
            Intermediate.Release(unpooled, y);
        }
        var logits = Child("classifier").Forward(y);
        Intermediate.Release(y, logits);
        var output = SpatialFit.CropTopLeft(logits, h, w);
        Intermediate.Release(logits, output);
        return output;
    }
}
