using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Models.Backbones;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// DeepLab v3: a dilated ResNet ("backbone.*", torchvision names) and "classifier" = [ASPP, 3x3 conv, BatchNorm, ReLU,
/// 1x1 conv to K] (the layout of torchvision's deeplabv3_resnet50 without its auxiliary head). The stride-8/16 logits
/// are upsampled bilinearly to the input size, so any H x W works.
/// </summary>
public sealed class DeepLabV3 : SegmentationModel
{
    private readonly ResNetBackbone backbone;
    private readonly Sequential classifier;

    /// <summary>DeepLab v3 for <paramref name="numClasses"/> classes.</summary>
    public DeepLabV3(long numClasses, DeepLabV3Options? options = null)
        : this(numClasses, options ?? new DeepLabV3Options(), null)
    {
    }

    /// <summary>
    /// DeepLab v3 on a given <paramref name="backbone"/> (e.g. <see cref="ResNetBackbone.FromTorchVision"/> of a TorchVision
    /// ResNet with dilated layer3/layer4); the backbone fields of <paramref name="options"/> are not used.
    /// </summary>
    public DeepLabV3(long numClasses, ResNetBackbone backbone, DeepLabV3Options? options = null)
        : this(numClasses, options ?? new DeepLabV3Options(), backbone ?? throw new ArgumentNullException(nameof(backbone)))
    {
    }

    private DeepLabV3(long numClasses, DeepLabV3Options options, ResNetBackbone? backbone)
        : base(nameof(DeepLabV3), options.InChannels, numClasses)
    {
        Options = options;
        Options.Validate();
        this.backbone = backbone ?? new ResNetBackbone(Options.ResNet);
        long c = Options.AsppChannels;
        classifier = nn.Sequential(
            new Aspp(this.backbone.OutChannels, c, Options.EffectiveRates, Options.ImagePooling, Options.Dropout),
            Layers.Conv2d(c, c, 3, padding: 1, bias: false),
            Layers.BatchNorm2d(c),
            nn.ReLU(),
            Layers.Conv2d(c, numClasses, 1));
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public DeepLabV3Options Options { get; }

    /// <summary>The ResNet backbone (load ImageNet weights into it with strict: false).</summary>
    public ResNetBackbone Backbone => backbone;

    /// <inheritdoc />
    public override string Architecture => $"DeepLab v3 (ResNet-{(int)Options.Backbone}, OS {Options.OutputStride})";

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        var logits = classifier.call(backbone.call(input));
        return nn.functional.interpolate(logits, [input.size(2), input.size(3)], mode: InterpolationMode.Bilinear, align_corners: false)
            .MoveToOuterDisposeScope();
    }
}
