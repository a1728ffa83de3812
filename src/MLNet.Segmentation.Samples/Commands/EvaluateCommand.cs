using MLNet.Segmentation.Data;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Samples.Cli;
using MLNet.Segmentation.Samples.Reporting;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg evaluate --model FILE --data DIR --layout L [--split val|train|all] [--tile N --overlap F --tta] [--json]
/// [--out DIR]`: segments a dataset with a model file and prints the per-class table (or JSON).
/// </summary>
public sealed class EvaluateCommand : ICommand
{
    /// <inheritdoc />
    public string Name => "evaluate";

    /// <inheritdoc />
    public string Summary => "evaluate a model file on a dataset: IoU, Dice, precision, recall, HD95 (table or --json)";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        .. ModelFileArguments.Options,
        .. DataArguments.Options,
        CommandOption.Valued("--split", "val|train|all", "which part of the dataset to evaluate [val]"),
        CommandOption.Valued("--out", "DIR", "also write predicted masks and overlays there"),
        CommonOptions.Json,
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        string modelPath = a.Required("--model");
        string split = a.Choice("--split", "val", "val", "train", "all");
        using var open = ModelFileArguments.Open(a);
        var manifest = open.Manifest;
        var data = DataArguments.Read(a, ModelFileArguments.Describe(manifest));
        if (data.Description.NumClasses != manifest.NumClasses)
            throw new InvalidDataException($"the model predicts {manifest.NumClasses} classes but the dataset has {data.Description.NumClasses}");
        ISegmentationDataset dataset = split switch
        {
            "train" => data.Train,
            "all" => data.Validation is null ? data.Train : new PairedFileDataset([.. data.Train.Samples, .. data.Validation.Samples], data.Description, data.Train.MaskOptions),
            _ => data.Validation ?? throw a.Usage("this dataset has no validation split; use --split train or all"),
        };
        string? outDir = a.String("--out") is { } outText ? OutputFolder.Prepare("--out", outText, folders: ["predictions", "overlays"]) : null;
        var outcome = ValidationRun.Run(open.Segmenter, dataset, outDir ?? Path.GetTempPath(), outDir is null ? 0 : dataset.Count, cancellation);
        if (a.Has("--json"))
        {
            output.WriteLine(outcome.Evaluation.ToJson());
            return Task.FromResult(0);
        }
        var terminal = new Terminal(output);
        terminal.Line($"{Path.GetFileName(modelPath)} ({manifest.Architecture}{(ModelFileArguments.IsOnnx(a) ? ", ONNX Runtime" : "")}) on {dataset.Count} {split} image(s)");
        MetricsView.Write(terminal, outcome.Evaluation, data.Description.ClassNames, data.Description.Colors);
        if (outDir is not null) terminal.Line($"predictions and overlays: {Path.GetFullPath(outDir)}");
        return Task.FromResult(0);
    }
}
