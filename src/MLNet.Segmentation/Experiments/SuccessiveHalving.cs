namespace MLNet.Segmentation.Experiments;

/// <summary>One trial's score at a rung of successive halving.</summary>
/// <param name="Trial">The trial number.</param>
/// <param name="Score">Its validation score at the rung (higher is better).</param>
public readonly record struct RungScore(int Trial, double Score);

/// <summary>
/// The arithmetic of asynchronous successive halving (ASHA; Li et al., "A System for Massively Parallel Hyperparameter
/// Tuning", 2020). Rung k trains a trial to min·eta^k epochs (the last rung to the maximum). Whenever a trial is
/// needed, the highest rung first offers a promotion: a trial among the top ⌊n/eta⌋ of the n trials that finished rung k
/// and that has not gone on yet moves to rung k + 1; only when no rung offers one does a new trial start at rung 0. A
/// trial that is never promoted has stopped early. With one worker the order of jobs is a function of the scores alone,
/// so a seeded sweep is reproducible.
/// </summary>
public static class SuccessiveHalving
{
    /// <summary>
    /// The rungs' epoch counts: <paramref name="minEpochs"/>·eta^k below <paramref name="maxEpochs"/>, then
    /// <paramref name="maxEpochs"/> (e.g. 1, 3, 9, 10 for min 1, max 10, eta 3).
    /// </summary>
    public static IReadOnlyList<int> Rungs(int minEpochs, int maxEpochs, int eta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minEpochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEpochs, minEpochs);
        ArgumentOutOfRangeException.ThrowIfLessThan(eta, 2);
        var rungs = new List<int>();
        for (long epochs = minEpochs; epochs < maxEpochs; epochs *= eta) rungs.Add((int)epochs);
        rungs.Add(maxEpochs);
        return rungs;
    }

    /// <summary>How many of <paramref name="finished"/> trials at a rung may go on: ⌊finished / eta⌋.</summary>
    public static int PromotionQuota(int finished, int eta) => finished / eta;

    /// <summary>
    /// The next promotion, or null: for k from the second-highest rung down to 0, the best-scored trial of the top
    /// ⌊n/eta⌋ of <paramref name="finished"/>[k] (ties: the lower trial number) that is not in
    /// <paramref name="started"/>[k + 1] (the trials that went on to rung k + 1, however that ended).
    /// </summary>
    /// <param name="finished">Per rung, the trials that finished it and their scores.</param>
    /// <param name="started">Per rung, the trials that started it.</param>
    /// <param name="eta">The reduction factor (≥ 2).</param>
    public static (int Trial, int Rung)? NextPromotion(IReadOnlyList<IReadOnlyList<RungScore>> finished, IReadOnlyList<IReadOnlySet<int>> started, int eta)
    {
        ArgumentNullException.ThrowIfNull(finished);
        ArgumentNullException.ThrowIfNull(started);
        ArgumentOutOfRangeException.ThrowIfLessThan(eta, 2);
        if (started.Count != finished.Count) throw new ArgumentException("finished and started must list the same rungs");
        for (int k = finished.Count - 2; k >= 0; k--)
        {
            var top = Ranked(finished[k]).Take(PromotionQuota(finished[k].Count, eta));
            foreach (var candidate in top)
                if (!started[k + 1].Contains(candidate.Trial)) return (candidate.Trial, k + 1);
        }
        return null;
    }

    /// <summary>Scores best first (NaN last), ties broken by the lower trial number.</summary>
    public static IEnumerable<RungScore> Ranked(IEnumerable<RungScore> scores) =>
        scores.OrderByDescending(s => double.IsNaN(s.Score) ? double.NegativeInfinity : s.Score).ThenBy(s => s.Trial);
}
