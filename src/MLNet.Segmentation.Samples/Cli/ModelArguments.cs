using MLNet.Segmentation.Models;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>Builds the network named by --arch (with --backbone and --width-divisor) from the model catalog.</summary>
public static class ModelArguments
{
    /// <summary>The options this reader understands.</summary>
    public static readonly IReadOnlyList<CommandOption> Options =
    [
        CommandOption.Valued("--arch", "NAME", "unet, unet-bilinear, unet-valid, segnet, fcn8s, fcn16s, fcn32s, deconvnet, deeplabv3, deeplabv3plus [unet]"),
        CommandOption.Valued("--backbone", "resnet18|resnet34|resnet50", "DeepLab's backbone [resnet50]"),
        CommandOption.Valued("--width-divisor", "D", "divide every layer's width by D (1..64) [1: the papers' widths]"),
    ];

    /// <summary>The short architecture names of the command line.</summary>
    public static readonly string[] Architectures =
        ["unet", "unet-bilinear", "unet-valid", "segnet", "fcn8s", "fcn16s", "fcn32s", "deconvnet", "deeplabv3", "deeplabv3plus"];

    /// <summary>The catalog name for the arguments, e.g. "deeplabv3plus-resnet50".</summary>
    public static string CatalogName(Arguments args)
    {
        string arch = args.Choice("--arch", "unet", Architectures);
        string backbone = args.Choice("--backbone", "resnet50", "resnet18", "resnet34", "resnet50");
        return arch switch
        {
            "fcn8s" => "fcn-8s",
            "fcn16s" => "fcn-16s",
            "fcn32s" => "fcn-32s",
            "deeplabv3" or "deeplabv3plus" => $"{arch}-{backbone}",
            _ => arch,
        };
    }

    /// <summary>
    /// Builds the network for <paramref name="classes"/> classes and <paramref name="channels"/> image channels, its
    /// initial weights drawn from TorchSharp's global generator seeded with <paramref name="seed"/>.
    /// </summary>
    public static SegmentationModel Create(Arguments args, int classes, int channels, ulong seed)
    {
        int divisor = args.Int("--width-divisor", 1, 1, 64);
        string name = CatalogName(args);
        random.manual_seed((long)seed);
        var module = ModelCatalog.Create(name, new ModelBuildSettings(classes, channels, divisor));
        if (module is SegmentationModel model) return model;
        module.Dispose();
        throw new InvalidOperationException($"{name} is not a segmentation network");
    }
}
