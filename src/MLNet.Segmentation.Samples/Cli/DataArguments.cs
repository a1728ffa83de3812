using MLNet.Segmentation.Data;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>The training and validation datasets chosen on the command line, and what their labels mean.</summary>
public sealed record DataSelection(PairedFileDataset Train, PairedFileDataset? Validation, DatasetDescription Description);

/// <summary>
/// Builds datasets from --data DIR and --layout folder|list|voc|membrane|camvid (plus --classes, --class-names,
/// --ignore, --channels and --mask-encoding for the generic layouts).
/// <list type="bullet">
/// <item>folder: DIR/train/{images,masks} and DIR/val/{images,masks}, or DIR/{images,masks} split by --val-fraction.</item>
/// <item>list: DIR/train.txt and DIR/val.txt ("image mask" per line), or one list file split by --val-fraction.</item>
/// <item>voc: a VOC tree (ImageSets/Segmentation/train.txt and val.txt).</item>
/// <item>membrane: ISBI 2012 (first 25 slices train, last 5 validation); camvid: SegNet's train/ and val/.
/// Both default to the shared datasets folder.</item>
/// </list>
/// </summary>
public static class DataArguments
{
    /// <summary>The options this reader understands.</summary>
    public static readonly IReadOnlyList<CommandOption> Options =
    [
        CommandOption.Valued("--data", "DIR", "the dataset's folder (or list file); membrane and camvid default to ../shared/datasets"),
        CommandOption.Valued("--layout", "folder|list|voc|membrane|camvid", "how the dataset is laid out [folder]"),
        CommandOption.Valued("--classes", "K", "number of classes (folder and list layouts; or --class-names)"),
        CommandOption.Valued("--class-names", "A,B,...", "class names, comma-separated (folder and list layouts)"),
        CommandOption.Valued("--ignore", "ID", "label id to ignore in loss and metrics, >= K (e.g. 255)"),
        CommandOption.Valued("--channels", "1|3", "image channels: 1 gray, 3 RGB [3]"),
        CommandOption.Valued("--mask-encoding", "auto|ids|palette|rgb|binary", "how masks store labels [auto]"),
        CommandOption.Valued("--mask-suffix", "TEXT", "mask file name = image name + TEXT (folder layout) [same name]"),
        CommandOption.Valued("--val-fraction", "F", "share held out for validation when the data has no val split [0.2]"),
    ];

    /// <summary>The accepted layouts.</summary>
    public static readonly string[] Layouts = ["folder", "list", "voc", "membrane", "camvid"];

    /// <summary>Reads the datasets the arguments describe.</summary>
    /// <param name="args">The parsed command line.</param>
    /// <param name="fallback">Labels to use for the generic layouts when --classes / --class-names are not given (e.g. a model's).</param>
    public static DataSelection Read(Arguments args, DatasetDescription? fallback = null)
    {
        string layout = args.Choice("--layout", "folder", Layouts);
        string? data = args.String("--data");
        if (data is null && layout is not ("membrane" or "camvid")) throw args.Usage($"--data is required for --layout {layout}");
        switch (layout)
        {
            case "membrane":
                return new DataSelection(KnownDatasets.Membrane(MembraneSplit.Train, data), KnownDatasets.Membrane(MembraneSplit.Validation, data),
                    DatasetDescription.Membrane);
            case "camvid":
                return new DataSelection(KnownDatasets.CamVid(CamVidSplit.Train, data), KnownDatasets.CamVid(CamVidSplit.Validation, data),
                    DatasetDescription.CamVid);
            case "voc":
                return new DataSelection(PairedFileDataset.FromVoc(data!, "train"),
                    File.Exists(Path.Combine(data!, "ImageSets", "Segmentation", "val.txt")) ? PairedFileDataset.FromVoc(data!, "val") : null,
                    DatasetDescription.PascalVoc);
        }

        var description = fallback is not null && !args.Has("--classes") && !args.Has("--class-names")
            ? fallback with { MaskEncoding = Encoding(args, fallback.MaskEncoding) }
            : Describe(args);
        string suffix = args.String("--mask-suffix", "")!;
        if (layout == "folder")
        {
            if (!Directory.Exists(data)) throw new DirectoryNotFoundException($"--data {data}: folder not found");
            string trainFolder = Path.Combine(data!, "train");
            if (Directory.Exists(Path.Combine(trainFolder, "images")))
            {
                var train = PairedFileDataset.FromFolders(Path.Combine(trainFolder, "images"), Path.Combine(trainFolder, "masks"), description, suffix);
                string valFolder = Path.Combine(data!, "val");
                var validation = Directory.Exists(Path.Combine(valFolder, "images"))
                    ? PairedFileDataset.FromFolders(Path.Combine(valFolder, "images"), Path.Combine(valFolder, "masks"), description, suffix)
                    : null;
                return validation is null ? Split(train, args, description) : new DataSelection(train, validation, description);
            }
            if (!Directory.Exists(Path.Combine(data!, "images")))
                throw new DirectoryNotFoundException($"--data {data}: expected images/ and masks/ (or train/images, train/masks, val/...) in it");
            return Split(PairedFileDataset.FromFolders(Path.Combine(data!, "images"), Path.Combine(data!, "masks"), description, suffix), args, description);
        }

        // list
        if (File.Exists(data)) return Split(PairedFileDataset.FromListFile(data!, description), args, description);
        string trainList = Path.Combine(data!, "train.txt"), valList = Path.Combine(data!, "val.txt");
        if (!File.Exists(trainList)) throw new FileNotFoundException($"--data {data}: neither a list file nor a folder with train.txt", trainList);
        var listTrain = PairedFileDataset.FromListFile(trainList, description);
        return File.Exists(valList)
            ? new DataSelection(listTrain, PairedFileDataset.FromListFile(valList, description), description)
            : Split(listTrain, args, description);
    }

    private static DataSelection Split(PairedFileDataset all, Arguments args, DatasetDescription description)
    {
        double fraction = args.Double("--val-fraction", 0.2, 0, 0.9);
        int validationCount = (int)Math.Round(all.Count * fraction);
        if (validationCount == 0 || validationCount >= all.Count) return new DataSelection(all, null, description);
        int trainCount = all.Count - validationCount;
        return new DataSelection(all.Subset(Enumerable.Range(0, trainCount)), all.Subset(Enumerable.Range(trainCount, validationCount)), description);
    }

    private static MaskEncoding Encoding(Arguments args, MaskEncoding fallback) =>
        args.Has("--mask-encoding")
            ? args.Choice("--mask-encoding", "auto", "auto", "ids", "palette", "rgb", "binary") switch
            {
                "ids" => MaskEncoding.ClassIds,
                "palette" => MaskEncoding.PaletteIndices,
                "rgb" => MaskEncoding.RgbColors,
                "binary" => MaskEncoding.Binary,
                _ => MaskEncoding.Auto,
            }
            : fallback;

    private static DatasetDescription Describe(Arguments args)
    {
        string[]? names = args.String("--class-names")?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        int? count = args.IntOrNull("--classes", 1, 256);
        if (names is null && count is null) throw args.Usage("give --classes K or --class-names a,b,c for this layout");
        if (names is not null && count is not null && names.Length != count)
            throw args.Usage($"--classes {count} but --class-names lists {names.Length} names");
        names ??= Enumerable.Range(0, count!.Value).Select(i => $"class {i}").ToArray();
        long? ignore = args.IntOrNull("--ignore", 0, 255);
        if (ignore < names.Length) throw args.Usage($"--ignore {ignore} is a class id; use an id >= {names.Length} such as 255");
        int channels = args.Int("--channels", 3, 1, 3);
        if (channels == 2) throw args.Usage("--channels must be 1 (gray) or 3 (RGB)");
        var encoding = Encoding(args, MaskEncoding.Auto);
        return new DatasetDescription
        {
            Name = "custom",
            ClassNames = names,
            Colors = DatasetDescription.DefaultColors(names.Length),
            IgnoreIndex = ignore,
            ImageChannels = channels,
            MaskEncoding = encoding,
        };
    }
}
