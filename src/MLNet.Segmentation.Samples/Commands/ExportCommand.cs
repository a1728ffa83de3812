using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Onnx;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg export --model FILE --onnx OUT.onnx [--opset N] [--dynamic-size | --size HxW] [--fold-batchnorm]`: writes the
/// network of a model file as an ONNX graph (input "image", outputs "logits" and "class_ids", the manifest as metadata),
/// for ONNX Runtime, ML.NET's ApplyOnnxModel or `mlseg predict --model OUT.onnx`.
/// </summary>
public sealed class ExportCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "export";

    /// <inheritdoc />
    public string Summary => "export a model file as ONNX (for ONNX Runtime and ML.NET's ApplyOnnxModel, no libtorch)";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommandOption.Valued("--model", "FILE", "the model file (model.mlseg.zip) written by train or demo") with { Required = true },
        CommandOption.Valued("--onnx", "OUT.onnx", "the ONNX file to write (whole or not at all)") with { Required = true },
        CommandOption.Valued("--opset", "N", $"ONNX opset {OnnxExportOptions.MinOpset}..{OnnxExportOptions.MaxOpset} [17]"),
        CommandOption.Flag("--dynamic-size", "any input height and width (pads and crops computed in the graph)"),
        CommandOption.Valued("--size", "HxW", "the fixed input size without --dynamic-size [the model's training tile]"),
        CommandOption.Flag("--fold-batchnorm", "fold BatchNorm into the convolutions before them (fewer nodes)"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        string model = a.Required("--model"), onnx = a.Required("--onnx");
        if (!onnx.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)) throw a.Usage($"--onnx {onnx}: give a file name ending in .onnx");
        if (Directory.Exists(onnx)) throw a.Usage($"--onnx {onnx}: is a folder; give the file to write");
        bool dynamic = a.Has("--dynamic-size");
        if (dynamic && a.Has("--size")) throw a.Usage("--size fixes the input size; leave it out with --dynamic-size");
        (int Height, int Width)? size = a.Has("--size") ? a.Size("--size", (0, 0), 16384) : null;
        var options = new OnnxExportOptions
        {
            Opset = a.Int("--opset", 17, OnnxExportOptions.MinOpset, OnnxExportOptions.MaxOpset),
            DynamicSize = dynamic, FoldBatchNorm = a.Has("--fold-batchnorm"), Height = size?.Height, Width = size?.Width,
        };
        string? folder = Path.GetDirectoryName(Path.GetFullPath(onnx));
        if (folder is not null && !Directory.Exists(folder)) Directory.CreateDirectory(folder);
        cancellation.ThrowIfCancellationRequested();
        SegmentationModelFile.ExportOnnx(model, onnx, options);
        using var check = OnnxSegmentationModel.Open(onnx);
        string shape = check.FixedHeight is int h && check.FixedWidth is int w ? $"N x {check.Manifest.InChannels} x {h} x {w}" : $"N x {check.Manifest.InChannels} x H x W";
        output.WriteLine($"{onnx}: {check.Manifest.Architecture}, {check.Manifest.NumClasses} classes, input 'image' {shape}, " +
                         $"opset {options.Opset}{(options.FoldBatchNorm ? ", BatchNorm folded" : "")}, {new FileInfo(onnx).Length / 1024} KiB; loads in ONNX Runtime");
        return Task.FromResult(0);
    }
}
