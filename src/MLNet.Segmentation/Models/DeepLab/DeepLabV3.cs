using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;

namespace MLNet.Segmentation.Models;

/// <summary>
/// DeepLab v3: a dilated ResNet ("backbone.*", torchvision names) and "classifier" = [ASPP, 3x3 conv, BatchNorm, ReLU,
/// 1x1 conv to K] (the layout of torchvision's deeplabv3_resnet50 without its auxiliary head). The stride-8/16 logits
/// are upsampled bilinearly to the input size, so any H x W works.
/// </summary>
public sealed class DeepLabV3 : SegmentationModel
{
    /// <summary>DeepLab v3 for <paramref name="numClasses"/> classes.</summary>
    public DeepLabV3(long numClasses, DeepLabV3Options? options = null, Generator? generator = null)
        : base((options ?? new DeepLabV3Options()).InChannels, numClasses)
    {
        Options = options ?? new DeepLabV3Options();
        Options.Validate();
        Backbone = RegisterModule("backbone", new ResNetBackbone(Options.ResNet, generator));
        long c = Options.AsppChannels;
        RegisterModule("classifier", new Sequential(
            new Aspp(Backbone.OutChannels, c, Options.EffectiveRates, Options.ImagePooling, Options.Dropout, generator),
            new Conv2d(c, c, 3, padding: 1, bias: false, generator: generator),
            new BatchNorm2d(c),
            new ReLU(),
            new Conv2d(c, numClasses, 1, generator: generator)));
    }

    /// <summary>The options it was built with.</summary>
    public DeepLabV3Options Options { get; }

    /// <summary>The ResNet backbone (load ImageNet weights into it with strict: false).</summary>
    public ResNetBackbone Backbone { get; }

    /// <inheritdoc />
    public override string Architecture => $"DeepLab v3 (ResNet-{(int)Options.Backbone}, OS {Options.OutputStride})";

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        var logits = Child("classifier").Forward(Backbone.Forward(input));
        return Functional.Interpolate(logits, new Size2(input.Size(2), input.Size(3)), InterpolationMode.Bilinear);
    }
}
