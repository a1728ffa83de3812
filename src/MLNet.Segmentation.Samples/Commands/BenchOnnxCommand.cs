using MLNet.Segmentation.Engine;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Models;
using MLNet.Segmentation.Onnx;
using MLNet.Segmentation.Samples.Cli;
using Spectre.Console;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg bench-onnx`: CPU inference (forward + arg-max, no gradients) of U-Net, SegNet, FCN-8s and DeepLab v3+
/// (ResNet-50) on TorchSharp and on ONNX Runtime, the same weights exported by <c>ExportOnnx</c> (fixed size), one
/// network after the other in one run, at batch 1 and 8: medians after warm-up and the ratio ONNX Runtime / TorchSharp.
/// </summary>
public sealed class BenchOnnxCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "bench-onnx";

    /// <inheritdoc />
    public string Summary => "CPU inference on ONNX Runtime beside TorchSharp, same weights, batch 1 and 8";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommonOptions.BenchArchitectures,
        CommandOption.Valued("--batches", "B,...", "batch sizes [1,8]"),
        CommandOption.Valued("--size", "S", "image side in pixels (32..2048) [256]"),
        CommonOptions.Classes(21),
        CommandOption.Valued("--warmup", "N", "untimed runs first [2]"),
        CommandOption.Valued("--repeats", "N", "timed runs; the median is reported [5]"),
        CommandOption.Flag("--fold-batchnorm", "export with BatchNorm folded into the convolutions"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        var archs = BenchWorkload.ParseArchitectures(a);
        int size = a.Int("--size", 256, 32, 2048), classes = a.Int("--classes", 21, 2, 256);
        int warmup = a.Int("--warmup", 2, 0, 100), repeats = a.Int("--repeats", 5, 1, 1000);
        var batches = (a.String("--batches") ?? "1,8").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(b => int.TryParse(b, out int v) && v is >= 1 and <= 256 ? v : throw a.Usage($"--batches: '{b}' is not a batch size in 1..256")).ToArray();
        bool fold = a.Has("--fold-batchnorm");
        var table = new Table().AddColumns("network", "batch", "TorchSharp ms", "ONNX Runtime ms", "ORT / TorchSharp", "ORT images/s");
        output.WriteLine($"mlseg bench-onnx: {size}x{size}, {classes} classes, CPU float32, TorchSharp {TorchRuntime.TorchSharpVersion} " +
                         $"(libtorch {TorchRuntime.LibTorchVersion}, {TorchRuntime.Threads} threads) and ONNX Runtime (default threads){(fold ? ", BatchNorm folded" : "")}; " +
                         $"median of {repeats} after {warmup} warm-up");
        foreach (string arch in archs)
            foreach (int batch in batches)
            {
                cancellation.ThrowIfCancellationRequested();
                var (torchMs, onnxMs) = Measure(arch, batch, size, classes, warmup, repeats, fold);
                table.AddRow(arch, $"{batch}", $"{torchMs:F1}", $"{onnxMs:F1}", $"{onnxMs / torchMs:F2}", $"{batch * 1000 / onnxMs:F1}");
            }
        new Terminal(output).Console.Write(table);
        return Task.FromResult(0);
    }

    private static (double TorchMs, double OnnxMs) Measure(string arch, int batch, int size, int classes, int warmup, int repeats, bool fold)
    {
        string path = Path.Combine(Path.GetTempPath(), $"mlseg-bench-{arch}-{Guid.NewGuid():N}.onnx");
        try
        {
            double torchMs;
            using (var workload = new BenchWorkload(arch, batch, size, classes, TorchSharp.torch.CPU, "fp32"))
            {
                workload.PrepareInference(foldBatchNorm: false); // exported below, and a folded network cannot be
                var model = (SegmentationModel)workload.Module;
                var manifest = new ModelManifest
                {
                    Architecture = "", Options = default, NumClasses = classes, InChannels = 3,
                    ClassNames = Enumerable.Range(0, classes).Select(k => $"class {k}").ToArray(),
                    ClassColors = Enumerable.Range(0, classes).Select(_ => "#000000").ToArray(),
                };
                SegmentationModelFile.ExportOnnx(model, manifest, path, new OnnxExportOptions { Height = size, Width = size, FoldBatchNorm = fold });
                CpuMemory.Release();
                torchMs = Median(workload.Infer, warmup, repeats);
            }
            CpuMemory.Release();
            using var onnx = OnnxSegmentationModel.Open(path);
            var random = new Random(0);
            var images = new float[(long)batch * 3 * size * size];
            for (long i = 0; i < images.LongLength; i++) images[i] = (float)random.NextDouble();
            double onnxMs = Median(() => onnx.RunClassIds(images, batch, size, size), warmup, repeats);
            return (torchMs, onnxMs);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static double Median(Action step, int warmup, int repeats) => BenchTiming.Measure(step, () => { }, warmup, repeats).Seconds * 1000;
}
