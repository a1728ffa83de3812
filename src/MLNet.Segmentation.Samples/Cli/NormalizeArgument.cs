using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>Reads --normalize auto|none|imagenet (auto: ImageNet statistics for RGB datasets, none for gray ones).</summary>
public static class NormalizeArgument
{
    /// <summary>The normalization, or null for none.</summary>
    public static Normalize? Parse(Arguments args, DatasetDescription description)
    {
        string choice = args.Choice("--normalize", "auto", "auto", "none", "imagenet");
        if (choice == "none" || (choice == "auto" && description.ImageChannels != 3)) return null;
        if (description.ImageChannels != 3) throw args.Usage("--normalize imagenet needs 3-channel (RGB) images");
        return Normalize.ImageNet;
    }
}
