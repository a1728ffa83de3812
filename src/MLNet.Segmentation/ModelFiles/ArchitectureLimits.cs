using System.Globalization;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Models.Backbones;

namespace MLNet.Segmentation.ModelFiles;

/// <summary>
/// Bounds on the architecture hyper-parameters a model file may ask for, checked before anything is built. They accept
/// every configuration of the papers and of <see cref="ModelCatalog"/> (at any width divisor) with room to spare, and
/// refuse what no real network uses:
/// <list type="bullet">
/// <item>input channels 1..<see cref="MaxInChannels"/>, classes 1..<see cref="ModelManifest.MaxClasses"/>;</item>
/// <item>U-Net: depth 1..8, even base width 2..<see cref="MaxUNetBaseWidth"/> (the paper: 64);</item>
/// <item>VGG networks (FCN, SegNet, DeconvNet): a width divisor that divides 64, fully convolutional width
/// 1..<see cref="MaxFullyConvolutionalWidth"/> (the papers: 4096), dropout in [0, 1);</item>
/// <item>DeepLab: backbone width 1..<see cref="MaxBackboneWidth"/> (ResNet: 64), ASPP, low-level and decoder channels
/// 1..<see cref="MaxHeadChannels"/> (the papers: 256, 48 and 256), at most <see cref="MaxAsppRates"/> atrous rates of
/// 1..<see cref="MaxAsppRate"/>, output stride 8 or 16;</item>
/// <item>the whole state dict at most <see cref="MaxStateElements"/> elements (2 GiB of float32; full-width DeconvNet, the
/// largest network here, has about 252 million, FCN-32s with 256 classes about 403 million).</item>
/// </list>
/// Every enumeration must name one of its values.
/// </summary>
public static class ArchitectureLimits
{
    /// <summary>The most input channels.</summary>
    public const int MaxInChannels = ModelManifest.MaxInChannels;

    /// <summary>The widest U-Net base width.</summary>
    public const long MaxUNetBaseWidth = 1024;

    /// <summary>The widest FCN/DeconvNet fully convolutional layer.</summary>
    public const long MaxFullyConvolutionalWidth = 8192;

    /// <summary>The widest ResNet backbone (width of its stem).</summary>
    public const long MaxBackboneWidth = 256;

    /// <summary>The widest ASPP, low-level projection or DeepLab v3+ decoder.</summary>
    public const long MaxHeadChannels = 2048;

    /// <summary>The most ASPP atrous rates.</summary>
    public const int MaxAsppRates = 8;

    /// <summary>The largest ASPP atrous rate.</summary>
    public const int MaxAsppRate = 256;

    /// <summary>The most elements of a network's state dict (2^29).</summary>
    public const long MaxStateElements = 1L << 29;

    /// <summary>Throws <see cref="InvalidDataException"/> naming the first option out of bounds (and input channels that differ from <paramref name="inChannels"/>, when given).</summary>
    public static void Check(long? inChannels, object options)
    {
        ArgumentNullException.ThrowIfNull(options);
        switch (options)
        {
            case UNetOptions u:
                Channels(u.InChannels);
                Range("Depth", u.Depth, 1, 8);
                Range("BaseWidth", u.BaseWidth, 2, MaxUNetBaseWidth);
                if (u.BaseWidth % 2 != 0) throw Out("BaseWidth", u.BaseWidth, "must be even");
                Defined("Padding", u.Padding);
                Defined("Upsampling", u.Upsampling);
                break;
            case FcnOptions f:
                Channels(f.InChannels);
                Defined("Variant", f.Variant);
                Divisor(f.WidthDivisor);
                Range("FullyConvolutionalWidth", f.FullyConvolutionalWidth, 1, MaxFullyConvolutionalWidth);
                Probability("Dropout", f.Dropout);
                break;
            case SegNetOptions s:
                Channels(s.InChannels);
                Divisor(s.WidthDivisor);
                break;
            case DeconvNetOptions d:
                Channels(d.InChannels);
                Divisor(d.WidthDivisor);
                Range("FullyConvolutionalWidth", d.FullyConvolutionalWidth, 1, MaxFullyConvolutionalWidth);
                break;
            case DeepLabV3Options v:
                Channels(v.InChannels);
                if (v.Backbone is not (ResNetDepth.ResNet18 or ResNetDepth.ResNet34 or ResNetDepth.ResNet50))
                    throw Out("Backbone", v.Backbone, "must be ResNet18, ResNet34 or ResNet50");
                Range("BackboneWidth", v.BackboneWidth, 1, MaxBackboneWidth);
                if (v.OutputStride is not (8 or 16)) throw Out("OutputStride", v.OutputStride, "must be 8 or 16");
                Range("AsppChannels", v.AsppChannels, 1, MaxHeadChannels);
                if (v.AsppRates is { } rates)
                {
                    Range("AsppRates count", rates.Count, 0, MaxAsppRates);
                    foreach (int r in rates) Range("AsppRates", r, 1, MaxAsppRate);
                }
                Probability("Dropout", v.Dropout);
                if (v is DeepLabV3PlusOptions p)
                {
                    Range("LowLevelChannels", p.LowLevelChannels, 1, MaxHeadChannels);
                    Range("DecoderChannels", p.DecoderChannels, 1, MaxHeadChannels);
                }
                break;
            default:
                throw new ArgumentException($"no limits are known for {options.GetType().Name}", nameof(options));
        }

        void Channels(long value)
        {
            Range("InChannels", value, 1, MaxInChannels);
            if (inChannels is { } expected && value != expected) throw Out("InChannels", value, $"disagrees with in_channels {expected}");
        }
    }

    /// <summary>Throws <see cref="InvalidDataException"/> when <paramref name="plan"/> exceeds <see cref="MaxStateElements"/>.</summary>
    public static void CheckSize(ExpectedStateDict plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.ElementCount > MaxStateElements)
            throw new InvalidDataException(
                $"the options describe a network of {plan.ElementCount} weights, more than the limit of {MaxStateElements}");
    }

    private static void Range(string name, long value, long min, long max)
    {
        if (value < min || value > max) throw Out(name, value, $"is outside {min}..{max}");
    }

    private static void Divisor(int value)
    {
        if (value < 1 || 64 % value != 0) throw Out("WidthDivisor", value, "must divide 64");
    }

    private static void Probability(string name, double value)
    {
        if (!(value >= 0 && value < 1)) throw Out(name, value, "must be in [0, 1)");
    }

    private static void Defined<T>(string name, T value) where T : struct, Enum
    {
        if (!Enum.IsDefined(value)) throw Out(name, value, $"must be one of {string.Join(", ", Enum.GetNames<T>())}");
    }

    private static InvalidDataException Out(string name, object value, string rule) =>
        new($"options.{name} {Convert.ToString(value, CultureInfo.InvariantCulture)} {rule}");
}
