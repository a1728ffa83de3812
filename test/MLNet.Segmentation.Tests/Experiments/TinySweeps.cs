using System.Text.Json;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Experiments;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Experiments;

/// <summary>Tiny sweeps on the synthetic shapes: 24 training and 8 validation images of 48 x 48, networks at 1/16 width.</summary>
internal static class TinySweeps
{
    public static SyntheticShapesDataset Train { get; } = new(24, 48, 48, seed: 3);

    public static SyntheticShapesDataset Validation { get; } = new(8, 48, 48, seed: 1003);

    public static SegmentationSearchSpace Space() => new()
    {
        Architecture = new("unet", "unet-bilinear", "segnet"),
        WidthDivisor = SearchChoice<int>.Fixed(16),
        BatchSize = new(4, 8),
        LearningRate = SearchRange.LogUniform(1e-3, 3e-2, 5e-3),
    };

    /// <summary>ASHA over 4 trials, rungs at 1, 2 and 4 epochs (eta 2), seed 11, on the CPU.</summary>
    public static SweepOptions Options(string directory, SearchStrategy strategy = SearchStrategy.SuccessiveHalving, SweepBudget? budget = null) => new()
    {
        SearchSpace = Space(), Strategy = strategy, Budget = budget ?? SweepBudget.FromTrials(4), Seed = 11, Epochs = 4, MinEpochs = 1, Eta = 2,
        OutputDirectory = directory, Device = CPU, Workers = 0,
    };

    public static string TempDir(string name)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"mlseg-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>The log as JSON lines without the wall times, which are all that may differ between equal sweeps.</summary>
    public static string[] WithoutTimes(IEnumerable<TrialLogEntry> entries) => entries
        .Select(e => JsonSerializer.Serialize(e with { Seconds = 0, History = e.History.Select(h => h with { Seconds = 0 }).ToArray() }, SweepJson.Options))
        .ToArray();

    /// <summary>The results table without the wall times.</summary>
    public static string[] Table(SweepResult result) => result.Trials
        .Select(t => JsonSerializer.Serialize(t with { Seconds = 0, History = [] }, SweepJson.Options)).ToArray();

    public static void Remove(params string[] directories)
    {
        foreach (string dir in directories)
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }
}
