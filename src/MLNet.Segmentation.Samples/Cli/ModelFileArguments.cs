using MLNet.Segmentation.Data;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Onnx;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Samples.Cli;

/// <summary>What a model file implies for the command line: its label description and a configured predictor.</summary>
public static class ModelFileArguments
{
    /// <summary>The model file and inference options: --model, --tile, --overlap, --tta, --device, --precision.</summary>
    public static readonly IReadOnlyList<CommandOption> Options =
    [
        CommandOption.Valued("--model", "FILE", "the model file (model.mlseg.zip) written by train or demo, or an .onnx file written by export (runs on ONNX Runtime)") with { Required = true },
        CommandOption.Valued("--tile", "N", "sliding-window inference in N x N tiles (16..16384) [whole image at once]"),
        CommandOption.Valued("--overlap", "F", "overlap of neighbouring tiles as a fraction of the tile, with --tile [0.25]"),
        CommandOption.Flag("--tta", "test-time augmentation: average with the horizontally flipped image"),
        CommonOptions.Device,
        CommonOptions.Precision,
        CommandOption.Valued("--max-pixels", "N", "PredictorOptions.MaxPixels: pixels sent through the network at once [2097152]; larger images need --tile"),
        CommandOption.Flag("--no-fold-batchnorm", "keep BatchNorm as its own layer (by default a loaded model has it folded into its convolutions)"),
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

    /// <summary>Whether --model names an ONNX file (scored by ONNX Runtime) rather than a model file.</summary>
    public static bool IsOnnx(Arguments args) => args.Required("--model").EndsWith(".onnx", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The segmenter for --model with the inference options: the TorchSharp predictor of a model file, or the ONNX Runtime
    /// predictor of an .onnx file (CPU; --device and --precision apply to model files only). Disposing it frees the network.
    /// </summary>
    public static OpenSegmenter Open(Arguments args)
    {
        if (!IsOnnx(args))
        {
            var loaded = Load(args);
            try
            {
                return new OpenSegmenter(Predictor(args, loaded), loaded.Manifest, loaded);
            }
            catch
            {
                loaded.Dispose();
                throw;
            }
        }
        foreach (string option in new[] { "--device", "--precision" })
            if (args.Has(option)) throw args.Usage($"{option} applies to model files; an .onnx model runs on ONNX Runtime's CPU provider");
        var window = Window(args);
        var predictor = new OnnxSegmentationPredictor(args.Required("--model"), new OnnxPredictorOptions
        {
            SlidingWindow = window, HorizontalFlip = args.Has("--tta"),
            MaxPixels = args.Int("--max-pixels", (int)OnnxPredictorOptions.DefaultMaxPixels, 1, int.MaxValue),
        });
        return new OpenSegmenter(predictor, predictor.Manifest, predictor);
    }

    private static SlidingWindowOptions? Window(Arguments args)
    {
        int? tile = args.IntOrNull("--tile", 16, 16384);
        double overlap = args.Double("--overlap", 0.25, 0, 0.95);
        if (args.Has("--overlap") && tile is null) throw args.Usage("--overlap needs --tile");
        return tile is int t ? new SlidingWindowOptions { TileSize = (t, t), Overlap = overlap } : null;
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
        var window = Window(args);
        return new SegmentationPredictor(loaded.Model, new PredictorOptions
        {
            Mean = loaded.Manifest.Mean, Std = loaded.Manifest.Std, HorizontalFlip = args.Has("--tta"),
            SlidingWindow = window,
            Device = DeviceArgument.Parse(args), AutocastDType = autocast,
            MaxPixels = args.Int("--max-pixels", (int)PredictorOptions.DefaultMaxPixels, 1, int.MaxValue),
            FoldBatchNorm = !args.Has("--no-fold-batchnorm"), // the predictor owns the loaded network
        });
    }
}

/// <summary>A segmenter opened from --model, with the manifest it came with; disposing it frees the network or session.</summary>
public sealed class OpenSegmenter(IImageSegmenter segmenter, ModelManifest manifest, IDisposable owner) : IDisposable
{
    /// <summary>The TorchSharp or ONNX Runtime predictor.</summary>
    public IImageSegmenter Segmenter { get; } = segmenter;

    /// <summary>Classes, colours, ignore id and channels of the network.</summary>
    public ModelManifest Manifest { get; } = manifest;

    /// <summary>Frees the network (model file) or the ONNX Runtime session.</summary>
    public void Dispose() => owner.Dispose();
}
