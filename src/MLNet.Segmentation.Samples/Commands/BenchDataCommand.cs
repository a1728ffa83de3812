using System.Diagnostics;
using System.Globalization;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;

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
    public string Summary => "data-loading throughput on CamVid: --data DIR --batch 8 --workers 2 --epochs 2 --crop 360x480";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? data = null;
        int batch = 8, workers = 2, epochs = 2, cropHeight = 360, cropWidth = 480;
        for (int k = 0; k < args.Length; k++)
        {
            string Value() => k + 1 < args.Length ? args[++k] : throw new UsageException($"{args[k]} needs a value");
            switch (args[k])
            {
                case "--data": data = Value(); break;
                case "--batch": batch = PositiveInt(Value(), "--batch"); break;
                case "--workers": workers = int.TryParse(Value(), out int w) && w >= 0 ? w : throw new UsageException("--workers takes a count >= 0"); break;
                case "--epochs": epochs = PositiveInt(Value(), "--epochs"); break;
                case "--crop":
                    var parts = Value().Split('x');
                    if (parts.Length != 2) throw new UsageException("--crop takes HEIGHTxWIDTH, e.g. 360x480");
                    (cropHeight, cropWidth) = (PositiveInt(parts[0], "--crop"), PositiveInt(parts[1], "--crop"));
                    break;
                default: throw new UsageException($"unknown option '{args[k]}'");
            }
        }

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

    private static int PositiveInt(string text, string option) =>
        int.TryParse(text, out int value) && value > 0 ? value : throw new UsageException($"{option} takes a positive integer, got '{text}'");
}
