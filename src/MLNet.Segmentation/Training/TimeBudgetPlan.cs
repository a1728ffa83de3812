namespace MLNet.Segmentation.Training;

/// <summary>
/// The rule by which <see cref="SegmentationTrainer"/> fits training into <see cref="TrainerOptions.TimeBudget"/>: after
/// each epoch's training steps, the epochs that fit are the completed ones plus as many more of their mean length as the
/// rest of the budget holds. The learning-rate schedule is then sized to that many epochs, and training ends when no
/// further epoch fits.
/// </summary>
public static class TimeBudgetPlan
{
    /// <summary>
    /// The number of epochs the run plans in all: <paramref name="maxEpochs"/> before any epoch has completed (nothing is
    /// measured yet), otherwise completed + floor((budget − elapsed) / (elapsed / completed)), between
    /// <paramref name="completedEpochs"/> (stop) and <paramref name="maxEpochs"/>.
    /// </summary>
    /// <param name="completedEpochs">Epochs trained so far (0 or more).</param>
    /// <param name="elapsed">Wall time those epochs took, their validations included.</param>
    /// <param name="budget">The whole run's budget.</param>
    /// <param name="maxEpochs">The most epochs the run may have (<see cref="TrainerOptions.Epochs"/>).</param>
    public static int PlannedEpochs(int completedEpochs, TimeSpan elapsed, TimeSpan budget, int maxEpochs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(completedEpochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, 1);
        if (elapsed < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(elapsed), elapsed, "elapsed time must be >= 0");
        if (budget <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(budget), budget, "the time budget must be > 0");
        if (completedEpochs == 0) return maxEpochs;
        if (completedEpochs >= maxEpochs) return completedEpochs;
        double perEpoch = elapsed.TotalSeconds / completedEpochs;
        double left = budget.TotalSeconds - elapsed.TotalSeconds;
        if (left <= 0) return completedEpochs;
        double more = perEpoch > 0 ? Math.Floor(left / perEpoch) : double.PositiveInfinity;
        return (int)Math.Min(maxEpochs, completedEpochs + more);
    }
}
