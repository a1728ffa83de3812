using System.Text.Json.Serialization;
using MLNet.Segmentation.ModelFiles;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// The outcome of a sweep: every trial (as in sweep.json), the best one, why the sweep stopped, and where its files are.
/// </summary>
public sealed class SweepResult
{
    /// <summary>The strategy.</summary>
    public required SearchStrategy Strategy { get; init; }

    /// <summary>The seed.</summary>
    public required int Seed { get; init; }

    /// <summary>The metric trials are ranked by.</summary>
    public required SweepMetric Metric { get; init; }

    /// <summary>The budget of the last run.</summary>
    public required SweepBudget Budget { get; init; }

    /// <summary>Why the sweep stopped, e.g. "trial budget (20 trials)".</summary>
    public required string StopReason { get; init; }

    /// <summary>The number of the best trial (highest score; ties: the lower number), or null when no trial has a score.</summary>
    public int? BestTrial { get; init; }

    /// <summary>Every trial, in trial order.</summary>
    public required IReadOnlyList<TrialResult> Trials { get; init; }

    /// <summary>The best trial's row.</summary>
    [JsonIgnore]
    public TrialResult? Best => Trials.FirstOrDefault(t => t.Trial == BestTrial);

    /// <summary>The output folder.</summary>
    [JsonIgnore]
    public string OutputDirectory { get; init; } = "";

    /// <summary>The trial log (trials.jsonl).</summary>
    [JsonIgnore]
    public string LogPath { get; init; } = "";

    /// <summary>The best trial's model file (best.mlseg.zip, <see cref="SegmentationModelFile"/>), or null without one.</summary>
    [JsonIgnore]
    public string? BestModelPath { get; init; }

    /// <summary>sweep.json.</summary>
    [JsonIgnore]
    public string JsonPath { get; init; } = "";

    /// <summary>sweep.html.</summary>
    [JsonIgnore]
    public string ReportPath { get; init; } = "";

    /// <summary>The best trial's network and manifest (the caller disposes it).</summary>
    public LoadedModel LoadBestModel() =>
        BestModelPath is { } path ? SegmentationModelFile.Load(path) : throw new InvalidOperationException("the sweep has no best model: no trial finished an epoch");

    /// <summary>
    /// The score each trial is compared by in the report's parameter charts: the first rung's for successive halving
    /// (every trial trained alike to it), the final score otherwise; trials without one are left out.
    /// </summary>
    public IReadOnlyList<(TrialResult Trial, double Score)> ComparableScores() => Strategy == SearchStrategy.SuccessiveHalving
        ? Trials.Where(t => t.RungScores.Count > 0 && double.IsFinite(t.RungScores[0])).Select(t => (t, t.RungScores[0])).ToArray()
        : Trials.Where(t => t.Score is double s && double.IsFinite(s)).Select(t => (t, t.Score!.Value)).ToArray();
}
