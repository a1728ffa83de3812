using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// Fully convolutional network (Long et al.) on VGG-16: "backbone.features.*" (torchvision's VGG names),
/// "conv6" (7x7, padded to keep the size) and "conv7" (1x1) with ReLU and dropout, "score_fr" (1x1 to K); FCN-16s adds
/// "score_pool4" and "upscore2", FCN-8s also "score_pool3" and "upscore_pool4"; "upscore" is the final transposed
/// convolution (32x, 16x or 8x). Skip scores start at zero and every transposed convolution at bilinear interpolation.
/// Any H x W: the input is zero-padded at the bottom/right to a multiple of 32, and the logits cropped back.
/// </summary>
public sealed class Fcn : SegmentationModel
{
    private readonly Vgg16Backbone backbone;
    private readonly Sequential conv6;
    private readonly Sequential conv7;
    private readonly SafeConv2d score_fr;
    private readonly SafeConv2d? score_pool4;
    private readonly SafeConvTranspose2d? upscore2;
    private readonly SafeConv2d? score_pool3;
    private readonly SafeConvTranspose2d? upscore_pool4;
    private readonly SafeConvTranspose2d upscore;

    /// <summary>An FCN for <paramref name="numClasses"/> classes.</summary>
    public Fcn(long numClasses, FcnOptions? options = null)
        : base(nameof(Fcn), (options ?? new FcnOptions()).InChannels, numClasses)
    {
        Options = options ?? new FcnOptions();
        backbone = new Vgg16Backbone(Options.InChannels, Options.BackboneBatchNorm, Options.WidthDivisor);
        long fc = Options.FullyConvolutionalWidth;
        conv6 = nn.Sequential(Layers.Conv2d(backbone.OutChannels, fc, 7, padding: 3), nn.ReLU(inplace: true), nn.Dropout(Options.Dropout));
        conv7 = nn.Sequential(Layers.Conv2d(fc, fc, 1), nn.ReLU(inplace: true), nn.Dropout(Options.Dropout));
        score_fr = ClassifierHead.Create(fc, numClasses);
        if (Options.Variant != FcnVariant.Fcn32s)
        {
            score_pool4 = ClassifierHead.Create(backbone.StageChannels[3], numClasses, zeroInit: true);
            upscore2 = BilinearUpsampling.Create(numClasses, 2);
        }
        if (Options.Variant == FcnVariant.Fcn8s)
        {
            score_pool3 = ClassifierHead.Create(backbone.StageChannels[2], numClasses, zeroInit: true);
            upscore_pool4 = BilinearUpsampling.Create(numClasses, 2);
        }
        upscore = BilinearUpsampling.Create(numClasses, FinalFactor);
        RegisterComponents();
    }

    /// <summary>The options it was built with.</summary>
    public FcnOptions Options { get; }

    /// <summary>The VGG-16 encoder.</summary>
    public Vgg16Backbone Backbone => backbone;

    private int FinalFactor => Options.Variant switch { FcnVariant.Fcn32s => 32, FcnVariant.Fcn16s => 16, _ => 8 };

    /// <inheritdoc />
    public override string Architecture => Options.Variant switch { FcnVariant.Fcn32s => "FCN-32s", FcnVariant.Fcn16s => "FCN-16s", _ => "FCN-8s" };

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        using var scope = NewDisposeScope();
        long h = input.size(2), w = input.size(3);
        var stages = backbone.ForwardStages(SpatialFit.PadToMultiple(input, 32));
        var score = score_fr.call(conv7.call(conv6.call(stages[4].Pooled)));
        if (upscore2 is not null && score_pool4 is not null)
            score = upscore2.call(score).Plus(score_pool4.call(stages[3].Pooled));
        if (upscore_pool4 is not null && score_pool3 is not null)
            score = upscore_pool4.call(score).Plus(score_pool3.call(stages[2].Pooled));
        return SpatialFit.CropTopLeft(upscore.call(score), h, w).MoveToOuterDisposeScope();
    }
}
