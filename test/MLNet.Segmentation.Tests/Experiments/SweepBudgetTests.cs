using MLNet.Segmentation.Experiments;

namespace MLNet.Segmentation.Tests.Experiments;

[TestClass]
public sealed class SweepBudgetTests
{
    [TestMethod]
    public void ParsesTimesTrialsEpochsAndMixes()
    {
        Assert.AreEqual(new SweepBudget { Time = TimeSpan.FromMinutes(30) }, SweepBudget.Parse("30m"));
        Assert.AreEqual(new SweepBudget { Trials = 20 }, SweepBudget.Parse("20trials"));
        Assert.AreEqual(new SweepBudget { Trials = 1 }, SweepBudget.Parse("1 trial"));
        Assert.AreEqual(new SweepBudget { Epochs = 100 }, SweepBudget.Parse("100epochs"));
        Assert.AreEqual(new SweepBudget { Time = TimeSpan.FromMinutes(90), Trials = 20 }, SweepBudget.Parse("1h30m,20trials"));
        Assert.AreEqual(new SweepBudget { Time = TimeSpan.FromSeconds(90) }, SweepBudget.Parse("1.5min"));
        Assert.AreEqual(new SweepBudget { Time = TimeSpan.FromHours(2) }, SweepBudget.Parse("2H"));
        foreach (string text in new[] { "30m", "20trials", "1h30m,20trials", "100epochs", "1m30s", "45s,3trials,10epochs" })
            Assert.AreEqual(text, SweepBudget.Parse(text).ToString());
        Assert.AreEqual("unlimited", SweepBudget.Unlimited.ToString());
        foreach (string bad in new[] { "", "30", "30x", "0m", "1.5trials", "20trials,5trials", "m30", "30m;2h", "-5m" })
            Assert.AreEqual($"budget '{bad}': expected a time (30m, 2h, 90s, 1h30m), a trial count (20trials), an epoch count (100epochs) or a comma-separated mix",
                Assert.ThrowsExactly<FormatException>(() => SweepBudget.Parse(bad)).Message, bad);
    }

    [TestMethod]
    public void MedianFrequencyWeights()
    {
        // Shares 0.1, 0.3, 0.6 (class 3 absent): median 0.3.
        var weights = ClassFrequencyWeights.FromCounts([10, 30, 60, 0]);
        CollectionAssert.AreEqual(new[] { 3.0, 1.0, 0.5, 1.0 }, weights.Select(w => Math.Round(w, 12)).ToArray());
        // Shares 0.08, 0.2, 0.32, 0.4: an even count, so the median is the mean of the middle two, 0.26.
        CollectionAssert.AreEqual(new[] { 3.25, 1.3, 0.8125, 0.65 }, ClassFrequencyWeights.FromCounts([10, 25, 40, 50]).Select(w => Math.Round(w, 12)).ToArray());
        // The synthetic shapes: counted from the masks, each weight is median / share.
        var shapes = new MLNet.Segmentation.Data.SyntheticShapesDataset(4, 32, 32, seed: 2);
        var counts = new long[4];
        for (int i = 0; i < shapes.Count; i++)
            foreach (long id in shapes.Generate(i).Mask) counts[id]++;
        CollectionAssert.AreEqual(ClassFrequencyWeights.FromCounts(counts), ClassFrequencyWeights.Compute(shapes));
    }
}
