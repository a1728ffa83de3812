using System.Diagnostics;
using System.Globalization;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg bench-data`: images/s of decode + augment + batch over CamVid train (random crop, horizontal flip,
/// ImageNet normalization, batches of 8) with the prefetching <see cref="DataLoader"/>. build/bench/data_loader.sh
/// runs it beside an equivalent PyTorch DataLoader.
/// </summary>
public sealed class BenchDataCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "bench-data";

    /// <inheritdoc />
    public string Summary => "data-loading throughput on CamVid: decode, crop, flip, normalize, batch";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommandOption.Valued("--data", "DIR", "the CamVid folder [../shared/datasets/camvid]"),
        CommandOption.Valued("--batch", "B", "images per batch [8]"),
        CommandOption.Valued("--workers", "N", "loader threads (0 = on the calling thread) [2]"),
        CommandOption.Valued("--epochs", "N", "passes over the data [2]"),
        CommandOption.Valued("--crop", "HxW", "random crop [360x480]"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        string? data = a.String("--data");
        int batch = a.Int("--batch", 8, 1, 4096), workers = a.Int("--workers", 2, 0, 64), epochs = a.Int("--epochs", 2, 1, 1000);
        var (cropHeight, cropWidth) = a.Size("--crop", (360, 480), 16384);

        var dataset = KnownDatasets.CamVid(CamVidSplit.Train, data);
        var loader = new DataLoader(dataset, new DataLoaderOptions
        {
            BatchSize = batch,
            Workers = workers,
            Seed = 0,
            Transform = new Compose(
                new RandomCrop(cropHeight, cropWidth, dataset.Description.IgnoreIndex ?? 255),
                new RandomHorizontalFlip(),
                Normalize.ImageNet),
        });
        output.WriteLine($"bench-data: CamVid train, {dataset.Count} images, batch {batch}, {workers} worker(s), crop {cropHeight}x{cropWidth}");
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            int images = 0;
            double checksum = 0;
            foreach (var b in loader.Epoch(epoch))
            {
                using (b)
                {
                    images += b.Count;
                    checksum += b.Masks.size(0);
                }
            }
            double seconds = clock.Elapsed.TotalSeconds;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"epoch {epoch}: {images} images in {seconds:F2} s = {images / seconds:F1} images/s"));
        }
        return Task.FromResult(0);
    }
}
