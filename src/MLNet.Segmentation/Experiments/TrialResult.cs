using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Experiments;

/// <summary>One row of a sweep's results: a trial's parameters, its last status and metrics, and its time in all.</summary>
public sealed record TrialResult
{
    /// <summary>The trial number.</summary>
    public required int Trial { get; init; }

    /// <summary>The hyperparameters.</summary>
    public required TrialParameters Parameters { get; init; }

    /// <summary>Why it stopped.</summary>
    public required TrialStatus Status { get; init; }

    /// <summary>The sweep's metric at the trial's best epoch (null when no epoch finished).</summary>
    public double? Score { get; init; }

    /// <summary>Validation mIoU at the best epoch.</summary>
    public double? MeanIoU { get; init; }

    /// <summary>Validation pixel accuracy at the best epoch.</summary>
    public double? PixelAccuracy { get; init; }

    /// <summary>Epochs trained.</summary>
    public required int Epochs { get; init; }

    /// <summary>The best epoch (whose weights the trial keeps).</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Wall seconds over all its runs.</summary>
    public required double Seconds { get; init; }

    /// <summary>The score at each successive-halving rung it finished (empty for random and grid search).</summary>
    public IReadOnlyList<double> RungScores { get; init; } = [];

    /// <summary>Every epoch trained.</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>The one-line error of a failed trial.</summary>
    public string? Error { get; init; }

    /// <summary>The trials of a log, in trial order: each trial's last entry, with its time summed over its runs.</summary>
    public static IReadOnlyList<TrialResult> FromLog(IEnumerable<TrialLogEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return entries.GroupBy(e => e.Trial).OrderBy(g => g.Key).Select(g =>
        {
            var last = g.Last();
            return new TrialResult
            {
                Trial = last.Trial, Parameters = last.Parameters, Status = last.Status, Score = last.Score, MeanIoU = last.MeanIoU,
                PixelAccuracy = last.PixelAccuracy, Epochs = last.Epochs, BestEpoch = last.BestEpoch, Seconds = g.Sum(e => e.Seconds),
                RungScores = g.Where(e => e.Rung is not null && e.Status is TrialStatus.Completed or TrialStatus.StoppedEarly && e.Score is not null)
                    .Select(e => e.Score!.Value).ToArray(),
                History = last.History, Error = last.Error,
            };
        }).ToArray();
    }
}
