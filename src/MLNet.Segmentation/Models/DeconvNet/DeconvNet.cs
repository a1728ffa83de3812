using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models;

/// <summary>
/// DeconvNet (Noh et al.): the VGG-16 convolution network ("encoder.features.*"), "fc6" (7x7) and "fc7" (1x1), then its
/// mirror: "deconv_fc6" (7x7 transposed) and "decoder.{0..4}" = max unpooling with the encoder's indices followed by
/// 3x3 transposed convolutions, each with BatchNorm and ReLU; "classifier" is 1x1 to K. Unlike the paper's 224x224
/// crops, fc6/deconv_fc6 are padded to keep the pool5 size, so any H x W works (inputs under 32 pixels are zero-padded).
/// </summary>
public sealed class DeconvNet : SegmentationModel
{
    /// <summary>A DeconvNet for <paramref name="numClasses"/> classes.</summary>
    public DeconvNet(long numClasses, DeconvNetOptions? options = null, Generator? generator = null)
        : base((options ?? new DeconvNetOptions()).InChannels, numClasses)
    {
        Options = options ?? new DeconvNetOptions();
        bool bn = Options.BatchNorm;
        Encoder = RegisterModule("encoder", new Vgg16Backbone(Options.InChannels, bn, Options.WidthDivisor, generator));
        long c = Encoder.OutChannels, fc = Options.FullyConvolutionalWidth;
        RegisterModule("fc6", Block(new Conv2d(c, fc, 7, padding: 3, bias: !bn, generator: generator), fc, bn));
        RegisterModule("fc7", Block(new Conv2d(fc, fc, 1, bias: !bn, generator: generator), fc, bn));
        RegisterModule("deconv_fc6", Block(new ConvTranspose2d(fc, c, 7, padding: 3, bias: !bn, generator: generator), c, bn));
        Decoder = RegisterModule("decoder", VggDecoder.Build(Encoder, transposed: true, bn, generator));
        RegisterModule("classifier", new ClassifierHead(Encoder.StageChannels[0], numClasses, generator: generator));
    }

    private static Sequential Block(Module layer, long channels, bool batchNorm) =>
        batchNorm ? new Sequential(layer, new BatchNorm2d(channels), new ReLU(inPlace: true)) : new Sequential(layer, new ReLU(inPlace: true));

    /// <summary>The options it was built with.</summary>
    public DeconvNetOptions Options { get; }

    /// <summary>The VGG-16 encoder.</summary>
    public Vgg16Backbone Encoder { get; }

    /// <summary>The deconvolution stages, deepest first.</summary>
    public Sequential Decoder { get; }

    /// <inheritdoc />
    public override string Architecture => "DeconvNet";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        long h = input.Size(2), w = input.Size(3);
        var stages = Encoder.ForwardStages(SpatialFit.PadToAtLeast(input, 32));
        var y = Child("deconv_fc6").Forward(Child("fc7").Forward(Child("fc6").Forward(stages[^1].Pooled)));
        for (int i = 0; i < Decoder.Count; i++)
        {
            var stage = stages[stages.Count - 1 - i];
            y = Decoder[i].Forward(Functional.MaxUnpool2d(y, stage.Indices, stage.InputSize));
        }
        return SpatialFit.CropTopLeft(Child("classifier").Forward(y), h, w);
    }
}
