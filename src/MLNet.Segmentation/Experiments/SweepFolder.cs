using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.IO;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// The output folder of a sweep: experiment.json (the settings the trials depend on: strategy, seed, metric, epochs,
/// schedule, normalization, search space and the data's shape), space.json (the search space alone, for
/// <see cref="SegmentationSearchSpace.FromJson"/> or `mlseg sweep --space`), trials.jsonl (the <see cref="TrialLog"/>),
/// trials/NNNN/ (each trial's checkpoint and best weights), and at the end best.mlseg.zip, sweep.json and sweep.html.
/// A folder is continued only by a sweep with the same settings (the budget may change).
/// </summary>
internal sealed class SweepFolder
{
    private const string Format = "mlseg-sweep/1";

    public SweepFolder(string directory) => Directory = Path.GetFullPath(directory);

    public string Directory { get; }
    public string SettingsPath => Path.Combine(Directory, "experiment.json");
    public string SpacePath => Path.Combine(Directory, "space.json");
    public string LogPath => Path.Combine(Directory, "trials.jsonl");
    public string TrialsPath => Path.Combine(Directory, "trials");
    public string BestModelPath => Path.Combine(Directory, "best.mlseg.zip");
    public string JsonPath => Path.Combine(Directory, "sweep.json");
    public string ReportPath => Path.Combine(Directory, "sweep.html");

    /// <summary>
    /// Writes the settings of a new sweep, or checks that a folder's sweep has the same ones; a mismatch is an
    /// InvalidOperationException naming the first setting that differs.
    /// </summary>
    public void Claim(SweepOptions options, ISegmentationDataset train, ISegmentationDataset validation)
    {
        System.IO.Directory.CreateDirectory(Directory);
        var settings = Settings(options, train, validation);
        if (!File.Exists(SettingsPath))
        {
            if (File.Exists(LogPath) || System.IO.Directory.Exists(TrialsPath))
                throw new InvalidOperationException($"{Directory}: has trials but no experiment.json; it is not a sweep folder of this version, choose another");
            AtomicFile.Write(SpacePath, Encoding.UTF8.GetBytes(options.SearchSpace.ToJson()));
            AtomicFile.Write(SettingsPath, Encoding.UTF8.GetBytes(settings.ToJsonString(SweepJson.Indented)));
            return;
        }
        JsonObject existing;
        try
        {
            existing = JsonNode.Parse(File.ReadAllText(SettingsPath)) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{SettingsPath}: not a sweep's settings ({e.Message.Split('\n')[0].Trim()})", e);
        }
        foreach (var (key, value) in settings)
        {
            var old = existing[key];
            if (!JsonNode.DeepEquals(old, value))
                throw new InvalidOperationException($"{Directory}: holds a sweep with other settings ({key}: {Text(old)} there, {Text(value)} now); " +
                                                    "rerun with the same settings to continue it, or choose another folder");
        }
    }

    private static string Text(JsonNode? node)
    {
        string text = node?.ToJsonString() ?? "none";
        return text.Length <= 80 ? text : text[..77] + "...";
    }

    private static JsonObject Settings(SweepOptions o, ISegmentationDataset train, ISegmentationDataset validation)
    {
        JsonNode? Node<T>(T value) => JsonSerializer.SerializeToNode(value, SweepJson.Options);
        var description = train.Description;
        return new JsonObject
        {
            ["format"] = Format,
            ["strategy"] = Node(o.Strategy),
            ["seed"] = o.Seed,
            ["metric"] = Node(o.Metric),
            ["epochs"] = o.Epochs,
            ["minEpochs"] = o.Strategy == SearchStrategy.SuccessiveHalving ? o.MinEpochs : null,
            ["eta"] = o.Strategy == SearchStrategy.SuccessiveHalving ? o.Eta : null,
            ["schedule"] = Node(o.Schedule),
            ["precision"] = Node(o.Precision),
            ["mean"] = Node(o.Mean),
            ["std"] = Node(o.Std),
            ["space"] = Node(o.SearchSpace),
            ["data"] = new JsonObject
            {
                ["classes"] = Node(description.ClassNames),
                ["channels"] = description.ImageChannels,
                ["ignoreIndex"] = description.IgnoreIndex,
                ["train"] = train.Count,
                ["validation"] = validation.Count,
            },
        };
    }
}
