using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Experiments;

/// <summary>
/// One line of a sweep's trial log: the result of one training run of a trial (a whole trial, or one rung of
/// successive halving). The last entry of a trial says where it stands.
/// </summary>
public sealed record TrialLogEntry
{
    /// <summary>The trial number (1, 2, ...).</summary>
    public required int Trial { get; init; }

    /// <summary>The successive-halving rung (0, 1, ...); null for random and grid search.</summary>
    public int? Rung { get; init; }

    /// <summary>The trial's hyperparameters.</summary>
    public required TrialParameters Parameters { get; init; }

    /// <summary>The trial's status after this run (a rung below the top: <see cref="TrialStatus.StoppedEarly"/> until promoted).</summary>
    public required TrialStatus Status { get; init; }

    /// <summary>Epochs trained in all (the rung's epoch count, or fewer when the time budget or a failure stopped it).</summary>
    public required int Epochs { get; init; }

    /// <summary>The sweep's metric at the best epoch so far (the weights a trial keeps); null when no epoch finished.</summary>
    public double? Score { get; init; }

    /// <summary>Validation mIoU at the best epoch so far.</summary>
    public double? MeanIoU { get; init; }

    /// <summary>Validation pixel accuracy at the best epoch so far.</summary>
    public double? PixelAccuracy { get; init; }

    /// <summary>The best epoch so far (by validation mIoU, as the trainer keeps weights).</summary>
    public int? BestEpoch { get; init; }

    /// <summary>Wall seconds of this run.</summary>
    public required double Seconds { get; init; }

    /// <summary>Every epoch trained so far (loss, learning rate, validation metrics).</summary>
    public IReadOnlyList<EpochRecord> History { get; init; } = [];

    /// <summary>The one-line error of a failed run.</summary>
    public string? Error { get; init; }
}
