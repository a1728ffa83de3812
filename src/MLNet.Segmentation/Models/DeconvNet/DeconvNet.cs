using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// DeconvNet (Noh et al.): the VGG-16 convolution network ("encoder.features.*"), "fc6" (7x7) and "fc7" (1x1), then its
/// mirror: "deconv_fc6" (7x7 transposed) and "decoder.{0..4}" = max unpooling with the encoder's indices followed by
/// 3x3 transposed convolutions, each with BatchNorm and ReLU; "classifier" is 1x1 to K. Unlike the paper's 224x224
/// crops, fc6/deconv_fc6 are padded to keep the pool5 size, so any H x W works (inputs under 32 pixels are zero-padded).
/// </summary>
public sealed class DeconvNet : SegmentationModel
{
    private readonly Vgg16Backbone encoder;
    private readonly Sequential fc6;
    private readonly Sequential fc7;
    private readonly Sequential deconv_fc6;
    private readonly ModuleList<Sequential> decoder;
    private readonly SafeConv2d classifier;

    /// <summary>A DeconvNet for <paramref name="numClasses"/> classes.</summary>
    public DeconvNet(long numClasses, DeconvNetOptions? options = null)
        : base(nameof(DeconvNet), (options ?? new DeconvNetOptions()).InChannels, numClasses)
    {
        Options = options ?? new DeconvNetOptions();
        bool bn = Options.BatchNorm;
        encoder = new Vgg16Backbone(Options.InChannels, bn, Options.WidthDivisor);
        long c = encoder.OutChannels, fc = Options.FullyConvolutionalWidth;
        fc6 = Block(Layers.Conv2d(c, fc, 7, padding: 3, bias: !bn), fc, bn);
        fc7 = Block(Layers.Conv2d(fc, fc, 1, bias: !bn), fc, bn);
        deconv_fc6 = Block(Layers.ConvTranspose2d(fc, c, 7, padding: 3, bias: !bn), c, bn);
        decoder = VggDecoder.Build(encoder, transposed: true, bn);
        classifier = ClassifierHead.Create(encoder.StageChannels[0], numClasses);
        RegisterComponents();
    }

    private static Sequential Block(nn.Module<Tensor, Tensor> layer, long channels, bool batchNorm) =>
        batchNorm ? nn.Sequential(layer, Layers.BatchNorm2d(channels), nn.ReLU(inplace: true)) : nn.Sequential(layer, nn.ReLU(inplace: true));

    /// <summary>The options it was built with.</summary>
    public DeconvNetOptions Options { get; }

    /// <summary>The VGG-16 encoder.</summary>
    public Vgg16Backbone Encoder => encoder;

    /// <summary>The deconvolution stages, deepest first.</summary>
    public ModuleList<Sequential> Decoder => decoder;

    /// <inheritdoc />
    public override string Architecture => "DeconvNet";

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        long h = input.size(2), w = input.size(3);
        var stages = encoder.ForwardStages(SpatialFit.PadToAtLeast(input, 32));
        var y = deconv_fc6.call(fc7.call(fc6.call(stages[^1].Pooled)));
        for (int i = 0; i < decoder.Count; i++)
            y = decoder[i].call(Unpooling.MaxUnpool(y, stages[stages.Count - 1 - i]));
        return SpatialFit.CropTopLeft(classifier.call(y), h, w).MoveToOuterDisposeScope();
    }
}
