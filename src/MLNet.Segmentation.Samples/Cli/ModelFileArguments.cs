using MLNet.Segmentation.Data;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>What a model file implies for the command line: its label description and a configured predictor.</summary>
public static class ModelFileArguments
{
    /// <summary>The model file and inference options: --model, --tile, --overlap, --tta, --device, --precision.</summary>
    public static readonly IReadOnlyList<CommandOption> Options =
    [
        CommandOption.Valued("--model", "FILE", "the model file (model.mlseg.zip) written by train or demo") with { Required = true },
        CommandOption.Valued("--tile", "N", "sliding-window inference in N x N tiles (16..16384) [whole image at once]"),
        CommandOption.Valued("--overlap", "F", "overlap of neighbouring tiles as a fraction of the tile, with --tile [0.25]"),
        CommandOption.Flag("--tta", "test-time augmentation: average with the horizontally flipped image"),
        CommonOptions.Device,
        CommonOptions.Precision,
        CommandOption.Valued("--max-pixels", "N", "PredictorOptions.MaxPixels: pixels sent through the network at once [2097152]; larger images need --tile"),
    ];

    /// <summary>--max-image-pixels (predict): the decoder's limit.</summary>
    public static readonly CommandOption MaxImagePixelsOption =
        CommandOption.Valued("--max-image-pixels", "N", "largest input image, in pixels, refused from its header before decoding [67108864]");

    /// <summary>The --max-image-pixels limit for decoding inputs.</summary>
    public static long MaxImagePixels(Arguments args) =>
        args.Int("--max-image-pixels", (int)ImageDecoder.DefaultMaxPixels, 1, (int)ImageDecoder.MaxPixelsLimit);

    /// <summary>
    /// Loads the model file named by --model; a folder is a one-line error naming the option and, when there is one, the
    /// model file inside it (the rest, a missing file included, is <see cref="SegmentationModelFile.Load"/>'s to report).
    /// </summary>
    public static LoadedModel Load(Arguments args)
    {
        string path = args.Required("--model");
        if (Directory.Exists(path))
        {
            string inside = Path.Combine(path, "model.mlseg.zip");
            throw new FileNotFoundException($"--model {path}: is a folder; give the model file{(File.Exists(inside) ? $", e.g. {inside}" : " (model.mlseg.zip)")}", path);
        }
        return SegmentationModelFile.Load(path);
    }

    /// <summary>The class names, colours, ignore id and channels stored in a model's manifest.</summary>
    public static DatasetDescription Describe(ModelManifest manifest, MaskEncoding encoding = MaskEncoding.Auto) => new()
    {
        Name = "model",
        ClassNames = manifest.ClassNames,
        Colors = manifest.ClassColors.Select(hex => Rgb.TryParseHex(hex, out var c) ? c
            : throw new InvalidDataException($"the model's class colour '{hex}' is not #rrggbb")).ToArray(),
        IgnoreIndex = manifest.IgnoreIndex,
        BackgroundClass = manifest.BackgroundClass,
        ImageChannels = manifest.InChannels,
        MaskEncoding = encoding,
    };

    /// <summary>
    /// A predictor for the loaded model with the manifest's normalization and the sliding-window, TTA, device and
    /// precision (autocast: bf16 on the CPU or CUDA, fp16 on CUDA only) options.
    /// </summary>
    public static SegmentationPredictor Predictor(Arguments args, LoadedModel loaded)
    {
        var autocast = args.Choice("--precision", "fp32", "fp32", "bf16", "fp16") switch
        {
            "bf16" => ScalarType.BFloat16,
            "fp16" => ScalarType.Float16,
            _ => (ScalarType?)null,
        };
        int? tile = args.IntOrNull("--tile", 16, 16384);
        double overlap = args.Double("--overlap", 0.25, 0, 0.95);
        if (args.Has("--overlap") && tile is null) throw args.Usage("--overlap needs --tile");
        return new SegmentationPredictor(loaded.Model, new PredictorOptions
        {
            Mean = loaded.Manifest.Mean, Std = loaded.Manifest.Std, HorizontalFlip = args.Has("--tta"),
            SlidingWindow = tile is int t ? new SlidingWindowOptions { TileSize = (t, t), Overlap = overlap } : null,
            Device = DeviceArgument.Parse(args), AutocastDType = autocast,
            MaxPixels = args.Int("--max-pixels", (int)PredictorOptions.DefaultMaxPixels, 1, int.MaxValue),
        });
    }
}
