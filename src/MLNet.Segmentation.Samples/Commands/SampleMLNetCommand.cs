using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Samples.MLNetSample;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg sample mlnet [--out DIR] [--data DIR] [--epochs N]`: the ML.NET pipeline of README (MLNetSample/) on the
/// membrane slices when ../shared/datasets is there, on synthetic shapes otherwise; prints the metrics and writes
/// the predicted masks, overlays and the saved model.
/// </summary>
public sealed class SampleMLNetCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "sample mlnet";

    /// <inheritdoc />
    public string Summary => "the ML.NET pipeline sample: images -> U-Net -> Evaluate -> SaveModel -> PredictionEngine";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommandOption.Valued("--out", "DIR", "output folder: predictions/, overlays/, model.zip [./mlseg-sample-mlnet]"),
        CommandOption.Valued("--data", "DIR", "the membrane dataset folder [../shared/datasets/membrane; synthetic shapes when absent]"),
        CommandOption.Valued("--epochs", "N", "training epochs [8]"),
        CommandOption.Flag("--synthetic", "use the synthetic shapes even when the membrane data is there"),
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        string outDir = OutputFolder.Prepare("--out", a.String("--out") ?? "mlseg-sample-mlnet", ["model.zip"], ["predictions", "overlays"]);
        string? membrane = a.String("--data");
        if (membrane is not null && !Directory.Exists(Path.Combine(membrane, "train", "image")))
            throw new DirectoryNotFoundException($"--data {membrane}: expected the membrane layout (train/image, train/label)");
        var data = a.Has("--synthetic") ? SampleData.Shapes(outDir) : SampleData.Find(membrane, outDir);
        output.WriteLine($"mlseg sample mlnet: {data.Name}, {data.Train.Length} training and {data.Validation.Length} validation images at {data.Size}x{data.Size}");
        MLNetPipelineSample.Run(data, outDir, a.Int("--epochs", 8, 1, 10_000), output, cancellation);
        output.WriteLine($"predicted masks: {Path.Combine(outDir, "predictions")}; overlays: {Path.Combine(outDir, "overlays")}");
        return Task.FromResult(0);
    }
}
