using MLNet.Segmentation.Models.Backbones;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Models;

/// <summary>
/// What every catalog factory needs: classes, image channels, a width divisor (1 = the papers' widths) and, for the
/// DeepLabs, the output stride (8 or 16).
/// </summary>
/// <remarks>Initialization draws from TorchSharp's global generator: call <c>torch.manual_seed</c> first for a reproducible network.</remarks>
public sealed record ModelBuildSettings(long NumClasses, long InChannels = 3, int WidthDivisor = 1, int OutputStride = 16)
{
    internal long Divide(long width, long minimum = 1) => Math.Max(minimum, width / WidthDivisor);
}

/// <summary>One architecture of the catalog: a stable name, a description and a factory.</summary>
public sealed record ModelCatalogEntry(string Name, string Description, Func<ModelBuildSettings, nn.Module<Tensor, Tensor>> Create);

/// <summary>Every architecture, by name, with default options (for command lines and experiments).</summary>
public static class ModelCatalog
{
    /// <summary>The architectures in display order.</summary>
    public static IReadOnlyList<ModelCatalogEntry> Entries { get; } = Build();

    /// <summary>Builds the architecture named <paramref name="name"/> (case-insensitive).</summary>
    public static nn.Module<Tensor, Tensor> Create(string name, ModelBuildSettings settings)
    {
        var entry = Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"unknown architecture '{name}'; known: {string.Join(", ", Entries.Select(e => e.Name))}", nameof(name));
        return entry.Create(settings);
    }

    private static List<ModelCatalogEntry> Build()
    {
        var list = new List<ModelCatalogEntry>();
        foreach (var variant in new[] { FcnVariant.Fcn32s, FcnVariant.Fcn16s, FcnVariant.Fcn8s })
        {
            string name = variant switch { FcnVariant.Fcn32s => "fcn-32s", FcnVariant.Fcn16s => "fcn-16s", _ => "fcn-8s" };
            list.Add(new(name, $"{name.ToUpperInvariant()} on VGG-16", s => new Fcn(s.NumClasses, new FcnOptions
            {
                Variant = variant, InChannels = s.InChannels, WidthDivisor = s.WidthDivisor, FullyConvolutionalWidth = s.Divide(4096),
            })));
        }
        list.Add(new("segnet", "SegNet, VGG-16-BN encoder, unpooling decoder", s => new SegNet(s.NumClasses,
            new SegNetOptions { InChannels = s.InChannels, WidthDivisor = s.WidthDivisor })));
        list.Add(new("unet", "U-Net, depth 4, 'same' padding, transposed-conv upsampling", s => new UNet(s.NumClasses,
            new UNetOptions { InChannels = s.InChannels, BaseWidth = s.Divide(64, 2) })));
        list.Add(new("unet-valid", "U-Net, depth 4, original 'valid' padding with mirror-padded input", s => new UNet(s.NumClasses,
            new UNetOptions { InChannels = s.InChannels, BaseWidth = s.Divide(64, 2), Padding = UNetPadding.Valid })));
        list.Add(new("unet-bilinear", "U-Net, depth 4, bilinear upsampling", s => new UNet(s.NumClasses,
            new UNetOptions { InChannels = s.InChannels, BaseWidth = s.Divide(64, 2), Upsampling = UNetUpsampling.Bilinear })));
        list.Add(new("deconvnet", "DeconvNet, VGG-16 mirrored by unpooling and deconvolution", s => new DeconvNet(s.NumClasses,
            new DeconvNetOptions { InChannels = s.InChannels, WidthDivisor = s.WidthDivisor, FullyConvolutionalWidth = s.Divide(4096) })));
        foreach (var depth in new[] { ResNetDepth.ResNet18, ResNetDepth.ResNet34, ResNetDepth.ResNet50 })
        {
            int d = (int)depth;
            list.Add(new($"deeplabv3-resnet{d}", $"DeepLab v3, ResNet-{d}, output stride 16", s => new DeepLabV3(s.NumClasses, new DeepLabV3Options
            {
                InChannels = s.InChannels, Backbone = depth, BackboneWidth = s.Divide(64), AsppChannels = s.Divide(256), OutputStride = s.OutputStride,
            })));
        }
        foreach (var depth in new[] { ResNetDepth.ResNet18, ResNetDepth.ResNet34, ResNetDepth.ResNet50 })
        {
            int d = (int)depth;
            list.Add(new($"deeplabv3plus-resnet{d}", $"DeepLab v3+, ResNet-{d}, output stride 16", s => new DeepLabV3Plus(s.NumClasses, new DeepLabV3PlusOptions
            {
                InChannels = s.InChannels, Backbone = depth, BackboneWidth = s.Divide(64), AsppChannels = s.Divide(256),
                LowLevelChannels = s.Divide(48), DecoderChannels = s.Divide(256), OutputStride = s.OutputStride,
            })));
        }
        list.Add(new("autoencoder", "convolutional autoencoder (U-Net encoder), reconstructs the image", s => new ConvAutoencoder(
            new ConvAutoencoderOptions { InChannels = s.InChannels, BaseWidth = s.Divide(64, 2) })));
        list.Add(new("denoising-autoencoder", "denoising autoencoder (Gaussian corruption while training)", s => new DenoisingAutoencoder(
            new ConvAutoencoderOptions { InChannels = s.InChannels, BaseWidth = s.Divide(64, 2) }, 0.1)));
        return list;
    }
}
