using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// DeepLab v3+: "backbone" (dilated ResNet), "aspp", and a decoder that projects layer1's stride-4 features
/// ("decoder.low_level": 1x1 conv, BatchNorm, ReLU), concatenates them with the bilinearly upsampled ASPP output and
/// refines with "decoder.fuse" (two 3x3 conv + BatchNorm + ReLU); "classifier" is 1x1 to K; the logits are upsampled
/// bilinearly to the input size.
/// </summary>
public sealed class DeepLabV3Plus : SegmentationModel
{
    private readonly ResNetBackbone backbone;
    private readonly Aspp aspp;
    private readonly DeepLabV3PlusDecoder decoder;
    private readonly SafeConv2d classifier;

    /// <summary>DeepLab v3+ for <paramref name="numClasses"/> classes.</summary>
    public DeepLabV3Plus(long numClasses, DeepLabV3PlusOptions? options = null)
        : this(numClasses, options ?? new DeepLabV3PlusOptions(), null)
    {
    }

    /// <summary>DeepLab v3+ on a given <paramref name="backbone"/>; the backbone fields of <paramref name="options"/> are not used.</summary>
    public DeepLabV3Plus(long numClasses, ResNetBackbone backbone, DeepLabV3PlusOptions? options = null)
        : this(numClasses, options ?? new DeepLabV3PlusOptions(), backbone ?? throw new ArgumentNullException(nameof(backbone)))
    {
    }

    private DeepLabV3Plus(long numClasses, DeepLabV3PlusOptions options, ResNetBackbone? backbone)
        : base(nameof(DeepLabV3Plus), options.InChannels, numClasses)
    {
        Options = options;
        Options.Validate();
        this.backbone = backbone ?? new ResNetBackbone(Options.ResNet);
        aspp = new Aspp(this.backbone.OutChannels, Options.AsppChannels, Options.EffectiveRates, Options.ImagePooling, Options.Dropout);
        decoder = new DeepLabV3PlusDecoder(this.backbone.LowLevelChannels, aspp.OutChannels, Options.LowLevelChannels, Options.DecoderChannels);
        classifier = ClassifierHead.Create(Options.DecoderChannels, numClasses);
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public DeepLabV3PlusOptions Options { get; }

    /// <summary>The ResNet backbone.</summary>
    public ResNetBackbone Backbone => backbone;

    /// <inheritdoc />
    public override string Architecture => $"DeepLab v3+ (ResNet-{(int)Options.Backbone}, OS {Options.OutputStride})";

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        var features = backbone.ForwardFeatures(input);
        var fused = decoder.call(aspp.call(features.Layer4), features.Layer1);
        var logits = classifier.call(fused);
        return nn.functional.interpolate(logits, [input.size(2), input.size(3)], mode: InterpolationMode.Bilinear, align_corners: false)
            .MoveToOuterDisposeScope();
    }
}

/// <summary>DeepLab v3+'s decoder: fuses upsampled ASPP features with projected low-level features.</summary>
public sealed class DeepLabV3PlusDecoder : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Sequential low_level;
    private readonly Sequential fuse;

    /// <summary>A decoder for low-level features of <paramref name="lowLevelIn"/> channels and ASPP features of <paramref name="highIn"/>.</summary>
    public DeepLabV3PlusDecoder(long lowLevelIn, long highIn, long lowLevelOut, long outChannels) : base(nameof(DeepLabV3PlusDecoder))
    {
        low_level = nn.Sequential(Layers.Conv2d(lowLevelIn, lowLevelOut, 1, bias: false), Layers.BatchNorm2d(lowLevelOut), nn.ReLU());
        fuse = nn.Sequential(
            Layers.Conv2d(highIn + lowLevelOut, outChannels, 3, padding: 1, bias: false), Layers.BatchNorm2d(outChannels), nn.ReLU(),
            Layers.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false), Layers.BatchNorm2d(outChannels), nn.ReLU());
        RegisterComponents();
    }

    /// <summary>Upsamples <paramref name="high"/> to the size of <paramref name="lowLevel"/>, concatenates [high, projected low] and refines.</summary>
    public override Tensor forward(Tensor high, Tensor lowLevel)
    {
        using var scope = NewDisposeScope();
        var up = nn.functional.interpolate(high, [lowLevel.size(2), lowLevel.size(3)], mode: InterpolationMode.Bilinear, align_corners: false);
        return fuse.call(cat([up, low_level.call(lowLevel)], 1)).MoveToOuterDisposeScope();
    }
}
