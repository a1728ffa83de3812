using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Models.Backbones;
using MLNet.Segmentation.Nn;

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
    /// <summary>An FCN for <paramref name="numClasses"/> classes.</summary>
    public Fcn(long numClasses, FcnOptions? options = null, Generator? generator = null)
        : base((options ?? new FcnOptions()).InChannels, numClasses)
    {
        Options = options ?? new FcnOptions();
        Backbone = RegisterModule("backbone", new Vgg16Backbone(Options.InChannels, Options.BackboneBatchNorm, Options.WidthDivisor, generator));
        long fc = Options.FullyConvolutionalWidth;
        RegisterModule("conv6", new Sequential(new Conv2d(Backbone.OutChannels, fc, 7, padding: 3, generator: generator),
            new ReLU(inPlace: true), new Dropout(Options.Dropout)));
        RegisterModule("conv7", new Sequential(new Conv2d(fc, fc, 1, generator: generator),
            new ReLU(inPlace: true), new Dropout(Options.Dropout)));
        RegisterModule("score_fr", new ClassifierHead(fc, numClasses, generator: generator));
        if (Options.Variant != FcnVariant.Fcn32s)
        {
            RegisterModule("score_pool4", new ClassifierHead(Backbone.StageChannels[3], numClasses, zeroInit: true));
            RegisterModule("upscore2", ConvTranspose2d.BilinearUpsampling(numClasses, 2));
        }
        if (Options.Variant == FcnVariant.Fcn8s)
        {
            RegisterModule("score_pool3", new ClassifierHead(Backbone.StageChannels[2], numClasses, zeroInit: true));
            RegisterModule("upscore_pool4", ConvTranspose2d.BilinearUpsampling(numClasses, 2));
        }
        RegisterModule("upscore", ConvTranspose2d.BilinearUpsampling(numClasses, FinalFactor));
    }

    /// <summary>The options it was built with.</summary>
    public FcnOptions Options { get; }

    /// <summary>The VGG-16 encoder.</summary>
    public Vgg16Backbone Backbone { get; }

    private int FinalFactor => Options.Variant switch { FcnVariant.Fcn32s => 32, FcnVariant.Fcn16s => 16, _ => 8 };

    /// <inheritdoc />
    public override string Architecture => Options.Variant switch { FcnVariant.Fcn32s => "FCN-32s", FcnVariant.Fcn16s => "FCN-16s", _ => "FCN-8s" };

    /// <inheritdoc />
    public override Tensor Forward(Tensor input)
    {
        CheckInput(input);
        long h = input.Size(2), w = input.Size(3);
        var stages = Backbone.ForwardStages(SpatialFit.PadToMultiple(input, 32));
        var score = Child("score_fr").Forward(Child("conv7").Forward(Child("conv6").Forward(stages[4].Pooled)));
        if (Options.Variant != FcnVariant.Fcn32s)
            score = Child("upscore2").Forward(score) + Child("score_pool4").Forward(stages[3].Pooled);
        if (Options.Variant == FcnVariant.Fcn8s)
            score = Child("upscore_pool4").Forward(score) + Child("score_pool3").Forward(stages[2].Pooled);
        return SpatialFit.CropTopLeft(Child("upscore").Forward(score), h, w);
    }
}
