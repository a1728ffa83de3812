using System.Globalization;
using MLNet.Segmentation.Metrics.Evaluation;

namespace MLNet.Segmentation.Samples.Commands;

/// <summary>
/// `mlseg metrics --pred DIR --gt DIR --classes K [--ignore I] [--json]`: evaluates every pair of mask PNGs with the
/// same name in the two folders and prints a per-class table, or one JSON object with --json.
/// </summary>
public sealed class MetricsCommand : ICommand
{
    /// <summary>Reads one mask; replaceable (tests, other formats). Defaults to the stop-gap PNG reader.</summary>
    public Func<string, DecodedMask> ReadMask { get; init; } = MetricsMaskReader.Read;

    /// <inheritdoc />
    public string Name => "metrics";

    /// <inheritdoc />
    public string Summary => "confusion matrix, IoU, Dice, HD of predicted vs ground-truth mask folders";

    /// <inheritdoc />
    public Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? predictions = null, truths = null;
        int? classes = null;
        long? ignore = null;
        bool json = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--pred": predictions = Value(args, ref i); break;
                case "--gt": truths = Value(args, ref i); break;
                case "--classes": classes = Integer(args, ref i, 1, 256); break;
                case "--ignore": ignore = Integer(args, ref i, 0, 255); break;
                case "--json": json = true; break;
                default: throw new UsageException($"unknown argument '{args[i]}'. {Usage}");
            }
        }
        if (predictions is null || truths is null || classes is null) throw new UsageException($"--pred, --gt and --classes are required. {Usage}");
        if (ignore is long id && id < classes)
            throw new UsageException($"--ignore {id} is a class id for --classes {classes}; use an id >= K such as 255");

        var evaluator = new MaskFolderEvaluator(classes.Value, ReadMask, ignore);
        var result = evaluator.Evaluate(predictions, truths);
        if (json) output.WriteLine(result.ToJson());
        else
        {
            output.WriteLine($"{result.Files.Count} image pair(s), {classes} classes" + (ignore is null ? "" : $", ignore {ignore}"));
            output.Write(result.ToTable());
        }
        return Task.FromResult(0);
    }

    private const string Usage = "usage: mlseg metrics --pred DIR --gt DIR --classes K [--ignore I] [--json]";

    private static string Value(string[] args, ref int i)
    {
        if (i + 1 >= args.Length) throw new UsageException($"{args[i]} needs a value. {Usage}");
        return args[++i];
    }

    private static int Integer(string[] args, ref int i, int min, int max)
    {
        string option = args[i];
        string text = Value(args, ref i);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            throw new UsageException($"{option} must be an integer in [{min}, {max}], got '{text}'");
        return value;
    }
}
