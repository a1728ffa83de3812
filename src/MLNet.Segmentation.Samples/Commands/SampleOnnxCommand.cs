using MLNet.Segmentation.Onnx;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Samples.OnnxSample;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg sample onnx --onnx FILE --images DIR [--masks DIR] [--size HxW] [--out DIR]`: the TorchSharp-free ML.NET scoring
/// sample of README (OnnxSample/) on an exported network; writes the colourized masks and overlays, and evaluates when the
/// masks (same file names) are given.
/// </summary>
public sealed class SampleOnnxCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "sample onnx";

    /// <inheritdoc />
    public string Summary => "the ML.NET ONNX scoring sample: LoadImages -> ApplyOnnxModel -> ArgMaxMask -> ColorizeMask, no TorchSharp";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommandOption.Valued("--onnx", "FILE", "an ONNX file written by mlseg export") with { Required = true },
        CommandOption.Valued("--images", "DIR", "a folder of PNG/JPEG images") with { Required = true },
        CommandOption.Valued("--masks", "DIR", "their class-id masks (same names, .png), to evaluate"),
        CommandOption.Valued("--size", "HxW", "the size images are resized to [the export's fixed size; required for --dynamic-size exports]"),
        CommandOption.Valued("--out", "DIR", "output folder: predictions/, overlays/ [./mlseg-sample-onnx]"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        string onnx = a.Required("--onnx"), images = a.Required("--images");
        if (!Directory.Exists(images)) throw new DirectoryNotFoundException($"--images {images}: no such folder");
        string? masks = a.String("--masks");
        if (masks is not null && !Directory.Exists(masks)) throw new DirectoryNotFoundException($"--masks {masks}: no such folder");
        (int Height, int Width) size;
        using (var model = OnnxSegmentationModel.Open(onnx))
            size = model.FixedHeight is int h && model.FixedWidth is int w
                ? (a.Has("--size") && a.Size("--size", (h, w)) != (h, w) ? throw a.Usage($"--size: {onnx} was exported for {h}x{w}") : (h, w))
                : a.Has("--size") ? a.Size("--size", (0, 0), 16384) : throw a.Usage($"--size is required: {onnx} takes any size (--dynamic-size export)");
        var files = Directory.EnumerateFiles(images).Where(f => Path.GetExtension(f).ToLowerInvariant() is ".png" or ".jpg" or ".jpeg")
            .Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"--images {images}: the folder has no PNG or JPEG images");
        var rows = files.Select(f => new OnnxScoringSample.ImageRow
        {
            ImagePath = f,
            MaskPath = masks is null ? "" : Path.Combine(masks, Path.GetFileNameWithoutExtension(f) + ".png") is var m && File.Exists(m) ? m
                : throw new FileNotFoundException($"--masks {masks}: no mask for {Path.GetFileName(f)}", m),
        }).ToList();
        string outDir = OutputFolder.Prepare("--out", a.String("--out") ?? "mlseg-sample-onnx", [], ["predictions", "overlays"]);
        cancellation.ThrowIfCancellationRequested();
        OnnxScoringSample.Run(onnx, rows, size.Height, size.Width, outDir, output);
        return Task.FromResult(0);
    }
}
