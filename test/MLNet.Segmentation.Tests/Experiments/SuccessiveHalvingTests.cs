using MLNet.Segmentation.Experiments;

namespace MLNet.Segmentation.Tests.Experiments;

[TestClass]
public sealed class SuccessiveHalvingTests
{
    private static IReadOnlySet<int> Set(params int[] trials) => trials.ToHashSet();

    [TestMethod]
    public void RungsGrowByEtaUpToTheMaximum()
    {
        CollectionAssert.AreEqual(new[] { 1, 3, 9, 10 }, SuccessiveHalving.Rungs(1, 10, 3).ToArray());
        CollectionAssert.AreEqual(new[] { 1, 2, 4 }, SuccessiveHalving.Rungs(1, 4, 2).ToArray());
        CollectionAssert.AreEqual(new[] { 2, 6, 18, 20 }, SuccessiveHalving.Rungs(2, 20, 3).ToArray());
        CollectionAssert.AreEqual(new[] { 5 }, SuccessiveHalving.Rungs(5, 5, 3).ToArray());
        Assert.AreEqual(2, SuccessiveHalving.PromotionQuota(6, 3));
        Assert.AreEqual(0, SuccessiveHalving.PromotionQuota(2, 3));
        Assert.AreEqual(1, SuccessiveHalving.PromotionQuota(5, 3));
    }

    [TestMethod]
    public void PromotesTheBestOfTheTopThirdThatHasNotGoneOn()
    {
        RungScore[] rung0 = [new(1, 0.5), new(2, 0.7), new(3, 0.6), new(4, 0.2), new(5, 0.9), new(6, 0.1)];
        IReadOnlyList<RungScore>[] finished = [rung0, [], []];
        // Six finished, eta 3: the top two (5 and 2) may go on, best first.
        Assert.AreEqual((5, 1), SuccessiveHalving.NextPromotion(finished, [Set(1, 2, 3, 4, 5, 6), Set(), Set()], 3));
        Assert.AreEqual((2, 1), SuccessiveHalving.NextPromotion(finished, [Set(1, 2, 3, 4, 5, 6), Set(5), Set()], 3));
        Assert.IsNull(SuccessiveHalving.NextPromotion(finished, [Set(1, 2, 3, 4, 5, 6), Set(5, 2), Set()], 3));
        // Five finished: only one may go on; with it gone, none.
        Assert.IsNull(SuccessiveHalving.NextPromotion([rung0[..5], [], []], [Set(1, 2, 3, 4, 5), Set(5), Set()], 3));

        // The higher rung is served first: rung 1 has three finished (top one: trial 2) while rung 0 still offers trial 3.
        RungScore[] rung1 = [new(5, 0.8), new(2, 0.85), new(3, 0.4)];
        RungScore[] rung0Nine = [.. rung0, new(7, 0.65), new(8, 0.05), new(9, 0.3)];
        var sets = new[] { Set(1, 2, 3, 4, 5, 6, 7, 8, 9), Set(5, 2, 3), Set() };
        Assert.AreEqual((2, 2), SuccessiveHalving.NextPromotion([rung0Nine, rung1, []], sets, 3));
        // Once it went on, rung 0's top three (5, 2, 7) offer 7.
        Assert.AreEqual((7, 1), SuccessiveHalving.NextPromotion([rung0Nine, rung1, []], [sets[0], sets[1], Set(2)], 3));
        // A run that went on and failed still counts as gone on.
        Assert.IsNull(SuccessiveHalving.NextPromotion([rung0Nine, rung1, []], [sets[0], Set(5, 2, 3, 7), Set(2)], 3));
    }

    [TestMethod]
    public void TiesGoToTheLowerTrialAndNaNRanksLast()
    {
        RungScore[] scores = [new(4, 0.5), new(2, 0.5), new(3, double.NaN), new(1, 0.1)];
        CollectionAssert.AreEqual(new[] { 2, 4, 1, 3 }, SuccessiveHalving.Ranked(scores).Select(s => s.Trial).ToArray());
        Assert.AreEqual((2, 1), SuccessiveHalving.NextPromotion([scores, []], [Set(1, 2, 3, 4), Set()], 2));
        Assert.AreEqual((4, 1), SuccessiveHalving.NextPromotion([scores, []], [Set(1, 2, 3, 4), Set(2)], 2));
    }
}
