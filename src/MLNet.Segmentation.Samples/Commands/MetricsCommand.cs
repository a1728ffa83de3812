using MLNet.Segmentation.Metrics.Evaluation;
using MLNet.Segmentation.Samples.Cli;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg metrics --pred DIR --gt DIR --classes K [--ignore I] [--json]`: evaluates every pair of mask PNGs with the
/// same name in the two folders and prints a per-class table, or one JSON object with --json.
/// </summary>
public sealed class MetricsCommand : ICommand
{
    /// <summary>Reads one mask; replaceable (tests, other formats). Null: <see cref="MetricsMaskReader.For"/>.</summary>
    public Func<string, DecodedMask>? ReadMask { get; init; }

    /// <inheritdoc />
    public string Name => "metrics";

    /// <inheritdoc />
    public string Summary => "confusion matrix, IoU, Dice, HD of predicted vs ground-truth mask folders";

    /// <inheritdoc />
    public IReadOnlyList<CommandOption> Options { get; } =
    [
        CommandOption.Valued("--pred", "DIR", "folder of predicted class-id masks") with { Required = true },
        CommandOption.Valued("--gt", "DIR", "folder of ground-truth class-id masks with the same names") with { Required = true },
        CommandOption.Valued("--classes", "K", "number of classes (1..256)") with { Required = true },
        CommandOption.Valued("--ignore", "ID", "ground-truth id to leave out, >= K (e.g. 255)"),
        CommonOptions.Json,
    ];

    /// <inheritdoc />
    public Task<int> RunAsync(Arguments a, TextWriter output, CancellationToken cancellation)
    {
        string predictions = a.Required("--pred"), truths = a.Required("--gt");
        int classes = a.Int("--classes", 0, 1, 256);
        long? ignore = a.IntOrNull("--ignore", 0, 65535);
        bool json = a.Has("--json");
        if (ignore is long id && id < classes)
            throw a.Usage($"--ignore {id} is a class id for --classes {classes}; use an id >= K such as 255");

        if (ignore is not null && classes > 255) throw a.Usage("with --ignore, --classes is at most 255");
        var evaluator = ReadMask is null
            ? new MaskFolderEvaluator(classes, MetricsMaskReader.For(classes, ignore), ignore is null ? null : MetricsMaskReader.IgnoreByte)
            : new MaskFolderEvaluator(classes, ReadMask, ignore);
        var result = evaluator.Evaluate(predictions, truths);
        if (json) output.WriteLine(result.ToJson());
        else
        {
            output.WriteLine($"{result.Files.Count} image pair(s), {classes} classes" + (ignore is null ? "" : $", ignore {ignore}"));
            output.Write(result.ToTable());
        }
        return Task.FromResult(0);
    }
}
