using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Samples.Demo;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg demo [--out DIR] [--epochs N] [--train N] [--val N] [--size N] [--width N] [--seed N]`: generates the synthetic
/// shapes dataset, trains a small U-Net on the CPU, evaluates it and writes the model, pictures and report.html.
/// </summary>
public sealed class DemoCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "demo";

    /// <inheritdoc />
    public string Summary => "train and evaluate a small U-Net on generated shapes; writes model, PNGs and report.html";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommandOption.Valued("--out", "DIR", "output folder [./mlseg-demo]"),
        CommandOption.Valued("--epochs", "N", "training epochs [8]"),
        CommandOption.Valued("--train", "N", "generated training images (>= 8) [128]"),
        CommandOption.Valued("--val", "N", "generated validation images [48]"),
        CommandOption.Valued("--size", "S", "image side in pixels (>= 32) [96]"),
        CommandOption.Valued("--width", "W", "U-Net base width (>= 2) [16]"),
        CommandOption.Valued("--seed", "N", "seed for the data and the weights [7]"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        var defaults = new DemoSettings();
        var settings = defaults with
        {
            OutputDirectory = a.String("--out") ?? defaults.OutputDirectory,
            Epochs = a.Int("--epochs", defaults.Epochs, 1, 100_000),
            TrainImages = a.Int("--train", defaults.TrainImages, 8, 1_000_000),
            ValidationImages = a.Int("--val", defaults.ValidationImages, 1, 1_000_000),
            ImageSize = a.Int("--size", defaults.ImageSize, 32, 4096),
            BaseWidth = a.Int("--width", defaults.BaseWidth, 2, 1024),
            Seed = a.Int("--seed", defaults.Seed, 0),
        };
        new DemoPipeline(settings, output).Run(cancellation);
        return Task.FromResult(0);
    }
}
