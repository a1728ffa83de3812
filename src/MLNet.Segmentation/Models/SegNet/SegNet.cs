using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// SegNet (Badrinarayanan et al.): a VGG-16(-BN) encoder ("encoder.features.*", torchvision names) whose max-pooling
/// indices drive the decoder's unpooling; "decoder.{0..4}" (deepest first) are the mirrored 3x3 convolutions with
/// BatchNorm and ReLU, and "classifier" is 1x1 to K. Unpooling restores each stage's exact pre-pooling size, so odd
/// sizes work; inputs smaller than 32 pixels are zero-padded at the bottom/right and the logits cropped back.
/// </summary>
public sealed class SegNet : SegmentationModel
{
    private readonly Vgg16Backbone encoder;
    private readonly ModuleList<Sequential> decoder;
    private readonly SafeConv2d classifier;

    /// <summary>A SegNet for <paramref name="numClasses"/> classes.</summary>
    public SegNet(long numClasses, SegNetOptions? options = null)
        : base(nameof(SegNet), (options ?? new SegNetOptions()).InChannels, numClasses)
    {
        Options = options ?? new SegNetOptions();
        encoder = new Vgg16Backbone(Options.InChannels, Options.BatchNorm, Options.WidthDivisor);
        decoder = VggDecoder.Build(encoder, transposed: false, Options.BatchNorm);
        classifier = ClassifierHead.Create(encoder.StageChannels[0], numClasses);
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public SegNetOptions Options { get; }

    /// <summary>The VGG-16 encoder.</summary>
    public Vgg16Backbone Encoder => encoder;

    /// <summary>The decoder stages, deepest first.</summary>
    public ModuleList<Sequential> Decoder => decoder;

    /// <inheritdoc />
    public override string Architecture => "SegNet";

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        long h = input.size(2), w = input.size(3);
        var stages = encoder.ForwardStages(SpatialFit.PadToAtLeast(input, 32));
        var y = stages[^1].Pooled;
        for (int i = 0; i < decoder.Count; i++)
            y = decoder[i].call(Unpooling.MaxUnpool(y, stages[stages.Count - 1 - i]));
        return SpatialFit.CropTopLeft(classifier.call(y), h, w).MoveToOuterDisposeScope();
    }
}
