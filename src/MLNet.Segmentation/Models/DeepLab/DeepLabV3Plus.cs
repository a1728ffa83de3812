using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models;

/// <summary>
/// DeepLab v3+: "backbone" (dilated ResNet), "aspp", and a decoder that projects layer1's stride-4 features
/// ("decoder.low_level": 1x1 conv, BatchNorm, ReLU), concatenates them with the bilinearly upsampled ASPP output and
/// refines with "decoder.fuse" (two 3x3 conv + BatchNorm + ReLU); "classifier" is 1x1 to K; the logits are upsampled
/// bilinearly to the input size.
/// </summary>
public sealed class DeepLabV3Plus : SegmentationModel
{
    /// <summary>DeepLab v3+ for <paramref name="numClasses"/> classes.</summary>
    public DeepLabV3Plus(long numClasses, DeepLabV3PlusOptions? options = null, Generator? generator = null)
        : base((options ?? new DeepLabV3PlusOptions()).InChannels, numClasses)
    {
        Options = options ?? new DeepLabV3PlusOptions();
        Options.Validate();
        Backbone = RegisterModule("backbone", new ResNetBackbone(Options.ResNet, generator));
        var aspp = RegisterModule("aspp", new Aspp(Backbone.OutChannels, Options.AsppChannels, Options.EffectiveRates,
            Options.ImagePooling, Options.Dropout, generator));
        RegisterModule("decoder", new DeepLabV3PlusDecoder(Backbone.LowLevelChannels, aspp.OutChannels,
            Options.LowLevelChannels, Options.DecoderChannels, generator));
        RegisterModule("classifier", new ClassifierHead(Options.DecoderChannels, numClasses, generator: generator));
    }

    /// <summary>The options it was built with.</summary>
    public DeepLabV3PlusOptions Options { get; }

    /// <summary>The ResNet backbone.</summary>
    public ResNetBackbone Backbone { get; }

    /// <inheritdoc />
    public override string Architecture => $"DeepLab v3+ (ResNet-{(int)Options.Backbone}, OS {Options.OutputStride})";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        var features = Backbone.ForwardFeatures(input);
        var high = Child("aspp").Forward(features.Layer4);
        var fused = ((DeepLabV3PlusDecoder)Child("decoder")).Forward(high, features.Layer1);
        var logits = Child("classifier").Forward(fused);
        return Functional.Interpolate(logits, new Size2(input.Size(2), input.Size(3)), InterpolationMode.Bilinear);
    }
}

/// <summary>DeepLab v3+'s decoder: fuses upsampled ASPP features with projected low-level features.</summary>
public sealed class DeepLabV3PlusDecoder : Module
{
    /// <summary>A decoder for low-level features of <paramref name="lowLevelIn"/> channels and ASPP features of <paramref name="highIn"/>.</summary>
    public DeepLabV3PlusDecoder(long lowLevelIn, long highIn, long lowLevelOut, long outChannels, Generator? generator = null)
    {
        RegisterModule("low_level", new Sequential(
            new Conv2d(lowLevelIn, lowLevelOut, 1, bias: false, generator: generator), new BatchNorm2d(lowLevelOut), new ReLU()));
        RegisterModule("fuse", new Sequential(
            new Conv2d(highIn + lowLevelOut, outChannels, 3, padding: 1, bias: false, generator: generator),
            new BatchNorm2d(outChannels), new ReLU(),
            new Conv2d(outChannels, outChannels, 3, padding: 1, bias: false, generator: generator),
            new BatchNorm2d(outChannels), new ReLU()));
    }

    /// <summary>Not supported: the decoder needs both feature maps; use <see cref="Forward(Tensor, Tensor)"/>.</summary>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException("the DeepLab v3+ decoder needs the ASPP and the low-level features");

    /// <summary>Upsamples <paramref name="high"/> to the size of <paramref name="lowLevel"/>, concatenates [high, projected low] and refines.</summary>
    public Tensor Forward(Tensor high, Tensor lowLevel)
    {
        var up = Functional.Interpolate(high, new Size2(lowLevel.Size(2), lowLevel.Size(3)), InterpolationMode.Bilinear);
        var low = Child("low_level").Forward(lowLevel);
        return Child("fuse").Forward(Tensor.Cat([up, low], 1));
    }
}
