using System.Diagnostics;
using System.Globalization;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Metrics;
using static TorchSharp.torch;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg bench-metrics [--classes K] [--images N] [--size S] [--repeat R] [--device D]`: confusion-matrix accumulation
/// throughput (pixels/s) of <see cref="ConfusionMatrixTensors.Update(ConfusionMatrix, Tensor, Tensor)"/> on N uint8 masks of S x S pixels
/// (blocky ground truth of 16 x 16 cells, prediction = ground truth with 10% of pixels changed, 1% ignored).
/// build/bench/confusion_matrix.sh compares it with a torch.bincount formulation.
/// </summary>
public sealed class BenchMetricsCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "bench-metrics";

    /// <inheritdoc />
    public string Summary => "confusion-matrix accumulation throughput in pixels/s";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommonOptions.Classes(12),
        CommandOption.Valued("--images", "N", "masks per pass [16]"),
        CommandOption.Valued("--size", "S", "mask side in pixels [512]"),
        CommandOption.Valued("--repeat", "R", "timed passes [10]"),
        CommandOption.Valued("--device", "cpu|cuda[:N]", "where the masks live [cpu]"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        int classes = a.Int("--classes", 12, 1, 255) /* 255 is the ignore id */, images = a.Int("--images", 16, 1, 100_000), size = a.Int("--size", 512, 1, 16384);
        int repeat = a.Int("--repeat", 10, 1, 100_000);
        var device = a.String("--device") is { } deviceText ? Devices.Parse(deviceText) : CPU;

        using var scope = NewDisposeScope();
        var (prediction, target) = Masks(classes, images, size);
        using var predictionTensor = TensorData.FromSpan<byte>(prediction, [images, size, size], device);
        using var targetTensor = TensorData.FromSpan<byte>(target, [images, size, size], device);
        using var matrix = new ConfusionMatrix(classes, ignoreIndex: 255);
        matrix.Update(predictionTensor, targetTensor); // warm-up
        matrix.Compute();
        matrix.Reset();

        var watch = Stopwatch.StartNew();
        for (int r = 0; r < repeat; r++) matrix.Update(predictionTensor, targetTensor);
        long checksum = ConfusionMatrixMetrics.Total(matrix.Compute());
        watch.Stop();
        double pixels = (double)repeat * images * size * size;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"mlnet K={classes} device={Devices.Name(device)} pixels={pixels:0} seconds={watch.Elapsed.TotalSeconds:0.0000} pixels_per_s={pixels / watch.Elapsed.TotalSeconds:0} counted={checksum}"));
        return Task.FromResult(0);
    }

    // Same recipe as build/bench/confusion_matrix.py (different random streams, same statistics).
    private static (byte[] Prediction, byte[] Target) Masks(int classes, int images, int size)
    {
        var random = new Random(0);
        var target = new byte[images * size * size];
        int cells = (size + 15) / 16;
        for (int n = 0; n < images; n++)
        {
            var cellClass = new byte[cells * cells];
            for (int c = 0; c < cellClass.Length; c++) cellClass[c] = (byte)random.Next(classes);
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                    target[(n * size + y) * size + x] = cellClass[(y / 16) * cells + x / 16];
        }
        var prediction = (byte[])target.Clone();
        for (int i = 0; i < prediction.Length; i++)
        {
            double u = random.NextDouble();
            if (u < 0.10) prediction[i] = (byte)random.Next(classes);
            else if (u < 0.11) target[i] = 255;
        }
        return (prediction, target);
    }
}
