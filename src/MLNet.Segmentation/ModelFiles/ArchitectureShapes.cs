using System.Globalization;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;

namespace MLNet.Segmentation.ModelFiles;

/// <summary>
/// The state-dict names and shapes of each architecture of the <see cref="ArchitectureRegistry"/>, from its options
/// alone. These mirror the constructors of the networks (a test builds every architecture in several configurations
/// and compares); the options must have passed <see cref="ArchitectureLimits"/> first.
/// </summary>
public static class ArchitectureShapes
{
    private static string I(int i) => i.ToString(CultureInfo.InvariantCulture);

    /// <summary>The expected state dict of a <see cref="UNet"/>.</summary>
    public static ExpectedStateDict UNet(long numClasses, UNetOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var plan = new ExpectedStateDict();
        long cin = o.InChannels;
        for (int level = 0; level <= o.Depth; level++)
        {
            long width = o.BaseWidth << level;
            DoubleConv(plan, $"encoder.{I(level)}.", cin, width, o.BatchNorm);
            cin = width;
        }
        for (int i = 0; i < o.Depth; i++)
        {
            long half = cin / 2;
            if (o.Upsampling == UNetUpsampling.TransposedConv) plan.ConvTranspose($"decoder.{I(i)}.up.", cin, half, 2, bias: true);
            else plan.Conv($"decoder.{I(i)}.up.1.", cin, half, 1, bias: true);
            DoubleConv(plan, $"decoder.{I(i)}.conv.", cin, half, o.BatchNorm);
            cin = half;
        }
        plan.Conv("classifier.", cin, numClasses, 1, bias: true);
        return plan;
    }

    private static void DoubleConv(ExpectedStateDict plan, string prefix, long inChannels, long outChannels, bool batchNorm)
    {
        int index = 0;
        foreach (long c in new[] { inChannels, outChannels })
        {
            plan.Conv($"{prefix}{I(index)}.", c, outChannels, 3, bias: !batchNorm);
            if (batchNorm) plan.BatchNorm($"{prefix}{I(index + 1)}.", outChannels);
            index += batchNorm ? 3 : 2;
        }
    }

    /// <summary>The expected state dict of an <see cref="Fcn"/>.</summary>
    public static ExpectedStateDict Fcn(long numClasses, FcnOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var plan = new ExpectedStateDict();
        var stages = Vgg(plan, "backbone.features.", o.InChannels, o.BackboneBatchNorm, o.WidthDivisor);
        long fc = o.FullyConvolutionalWidth, k = numClasses;
        plan.Conv("conv6.0.", stages[4], fc, 7, bias: true);
        plan.Conv("conv7.0.", fc, fc, 1, bias: true);
        plan.Conv("score_fr.", fc, k, 1, bias: true);
        if (o.Variant != FcnVariant.Fcn32s)
        {
            plan.Conv("score_pool4.", stages[3], k, 1, bias: true);
            plan.ConvTranspose("upscore2.", k, k, 4, bias: false);
        }
        if (o.Variant == FcnVariant.Fcn8s)
        {
            plan.Conv("score_pool3.", stages[2], k, 1, bias: true);
            plan.ConvTranspose("upscore_pool4.", k, k, 4, bias: false);
        }
        int factor = o.Variant switch { FcnVariant.Fcn32s => 32, FcnVariant.Fcn16s => 16, _ => 8 };
        plan.ConvTranspose("upscore.", k, k, 2 * factor, bias: false);
        return plan;
    }

    /// <summary>The expected state dict of a <see cref="SegNet"/>.</summary>
    public static ExpectedStateDict SegNet(long numClasses, SegNetOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var plan = new ExpectedStateDict();
        var stages = Vgg(plan, "encoder.features.", o.InChannels, o.BatchNorm, o.WidthDivisor);
        VggDecoder(plan, stages, transposed: false, o.BatchNorm);
        plan.Conv("classifier.", stages[0], numClasses, 1, bias: true);
        return plan;
    }

    /// <summary>The expected state dict of a <see cref="DeconvNet"/>.</summary>
    public static ExpectedStateDict DeconvNet(long numClasses, DeconvNetOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var plan = new ExpectedStateDict();
        bool bn = o.BatchNorm;
        var stages = Vgg(plan, "encoder.features.", o.InChannels, bn, o.WidthDivisor);
        long c = stages[4], fc = o.FullyConvolutionalWidth;
        plan.Conv("fc6.0.", c, fc, 7, bias: !bn);
        if (bn) plan.BatchNorm("fc6.1.", fc);
        plan.Conv("fc7.0.", fc, fc, 1, bias: !bn);
        if (bn) plan.BatchNorm("fc7.1.", fc);
        plan.ConvTranspose("deconv_fc6.0.", fc, c, 7, bias: !bn);
        if (bn) plan.BatchNorm("deconv_fc6.1.", c);
        VggDecoder(plan, stages, transposed: true, bn);
        plan.Conv("classifier.", stages[0], numClasses, 1, bias: true);
        return plan;
    }

    // VGG-16's features: per stage its 3x3 convolutions (each followed by BatchNorm if any, then ReLU), then a pooling.
    private static long[] Vgg(ExpectedStateDict plan, string prefix, long inChannels, bool batchNorm, int widthDivisor)
    {
        var stages = Vgg16Backbone.Stages.Select(s => (long)(s.Channels / widthDivisor)).ToArray();
        int index = 0;
        long channels = inChannels;
        for (int stage = 0; stage < stages.Length; stage++)
        {
            for (int i = 0; i < Vgg16Backbone.Stages[stage].Convolutions; i++)
            {
                plan.Conv($"{prefix}{I(index)}.", channels, stages[stage], 3, bias: true);
                if (batchNorm) plan.BatchNorm($"{prefix}{I(index + 1)}.", stages[stage]);
                index += batchNorm ? 3 : 2;
                channels = stages[stage];
            }
            index++; // the pooling
        }
        return stages;
    }

    private static void VggDecoder(ExpectedStateDict plan, long[] stages, bool transposed, bool batchNorm)
    {
        for (int stage = stages.Length - 1, block = 0; stage >= 0; stage--, block++)
        {
            long width = stages[stage], target = stage == 0 ? width : stages[stage - 1];
            int count = Vgg16Backbone.Stages[stage].Convolutions;
            for (int i = 0, index = 0; i < count; i++, index += batchNorm ? 3 : 2)
            {
                long outChannels = i == count - 1 ? target : width;
                string prefix = $"decoder.{I(block)}.{I(index)}.";
                if (transposed) plan.ConvTranspose(prefix, width, outChannels, 3, bias: !batchNorm);
                else plan.Conv(prefix, width, outChannels, 3, bias: !batchNorm);
                if (batchNorm) plan.BatchNorm($"decoder.{I(block)}.{I(index + 1)}.", outChannels);
            }
        }
    }

    /// <summary>The expected state dict of a <see cref="DeepLabV3"/> with its own ResNet backbone.</summary>
    public static ExpectedStateDict DeepLabV3(long numClasses, DeepLabV3Options o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var plan = new ExpectedStateDict();
        var (_, high) = ResNet(plan, "backbone.", o.InChannels, o.Backbone, o.BackboneWidth);
        long c = o.AsppChannels;
        Aspp(plan, "classifier.0.", high, c, o.EffectiveRates.Count, o.ImagePooling);
        plan.Conv("classifier.1.", c, c, 3, bias: false);
        plan.BatchNorm("classifier.2.", c);
        plan.Conv("classifier.4.", c, numClasses, 1, bias: true);
        return plan;
    }

    /// <summary>The expected state dict of a <see cref="DeepLabV3Plus"/> with its own ResNet backbone.</summary>
    public static ExpectedStateDict DeepLabV3Plus(long numClasses, DeepLabV3PlusOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var plan = new ExpectedStateDict();
        var (low, high) = ResNet(plan, "backbone.", o.InChannels, o.Backbone, o.BackboneWidth);
        long c = o.AsppChannels;
        Aspp(plan, "aspp.", high, c, o.EffectiveRates.Count, o.ImagePooling);
        plan.Conv("decoder.low_level.0.", low, o.LowLevelChannels, 1, bias: false);
        plan.BatchNorm("decoder.low_level.1.", o.LowLevelChannels);
        plan.Conv("decoder.fuse.0.", c + o.LowLevelChannels, o.DecoderChannels, 3, bias: false);
        plan.BatchNorm("decoder.fuse.1.", o.DecoderChannels);
        plan.Conv("decoder.fuse.3.", o.DecoderChannels, o.DecoderChannels, 3, bias: false);
        plan.BatchNorm("decoder.fuse.4.", o.DecoderChannels);
        plan.Conv("classifier.", o.DecoderChannels, numClasses, 1, bias: true);
        return plan;
    }

    // torchvision's ResNet layout; returns the channels of layer1 and layer4. Strides and dilations change no shape.
    private static (long Low, long High) ResNet(ExpectedStateDict plan, string prefix, long inChannels, ResNetDepth depth, long width)
    {
        bool bottleneck = depth == ResNetDepth.ResNet50;
        int[] blocks = depth == ResNetDepth.ResNet18 ? [2, 2, 2, 2] : [3, 4, 6, 3];
        int expansion = bottleneck ? Bottleneck.Expansion : BasicBlock.Expansion;
        plan.Conv(prefix + "conv1.", inChannels, width, 7, bias: false);
        plan.BatchNorm(prefix + "bn1.", width);
        long inPlanes = width;
        for (int layer = 0; layer < 4; layer++)
        {
            long planes = width << layer;
            for (int b = 0; b < blocks[layer]; b++)
            {
                string block = $"{prefix}layer{I(layer + 1)}.{I(b)}.";
                if (bottleneck)
                {
                    plan.Conv(block + "conv1.", inPlanes, planes, 1, bias: false);
                    plan.BatchNorm(block + "bn1.", planes);
                    plan.Conv(block + "conv2.", planes, planes, 3, bias: false);
                    plan.BatchNorm(block + "bn2.", planes);
                    plan.Conv(block + "conv3.", planes, planes * expansion, 1, bias: false);
                    plan.BatchNorm(block + "bn3.", planes * expansion);
                }
                else
                {
                    plan.Conv(block + "conv1.", inPlanes, planes, 3, bias: false);
                    plan.BatchNorm(block + "bn1.", planes);
                    plan.Conv(block + "conv2.", planes, planes, 3, bias: false);
                    plan.BatchNorm(block + "bn2.", planes);
                }
                // The first block of layers 2-4 always changes the stride or (dilated) the width; of layer 1, the width if any.
                if (b == 0 && (layer > 0 || inPlanes != planes * expansion))
                {
                    plan.Conv(block + "downsample.0.", inPlanes, planes * expansion, 1, bias: false);
                    plan.BatchNorm(block + "downsample.1.", planes * expansion);
                }
                inPlanes = planes * expansion;
            }
        }
        return (width * expansion, 8 * width * expansion);
    }

    private static void Aspp(ExpectedStateDict plan, string prefix, long inChannels, long channels, int rates, bool imagePooling)
    {
        plan.Conv(prefix + "convs.0.0.", inChannels, channels, 1, bias: false);
        plan.BatchNorm(prefix + "convs.0.1.", channels);
        for (int r = 1; r <= rates; r++)
        {
            plan.Conv($"{prefix}convs.{I(r)}.0.", inChannels, channels, 3, bias: false);
            plan.BatchNorm($"{prefix}convs.{I(r)}.1.", channels);
        }
        int branches = 1 + rates;
        if (imagePooling)
        {
            plan.Conv($"{prefix}convs.{I(branches)}.1.", inChannels, channels, 1, bias: false);
            plan.BatchNorm($"{prefix}convs.{I(branches)}.2.", channels);
            branches++;
        }
        plan.Conv(prefix + "project.0.", branches * channels, channels, 1, bias: false);
        plan.BatchNorm(prefix + "project.1.", channels);
    }
}
