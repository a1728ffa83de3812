using MLNet.Segmentation.Training.Schedules;

namespace MLNet.Segmentation.Tests.Training;

[TestClass]
public sealed class ScheduleTests
{
    private static readonly System.Text.Json.JsonElement Fixture = TrainingFixtures.Load("schedules.json");

    private static void AssertMatches(string name, LearningRateSchedule schedule)
    {
        var expected = Fixture.GetProperty(name).Doubles();
        for (int step = 0; step < expected.Length; step++)
            Assert.AreEqual(expected[step], schedule.At(step), 1e-12, $"{name} at step {step}");
    }

    [TestMethod]
    public void PolyMatchesTorchPolynomialLR() => AssertMatches("poly", new PolySchedule(0.1, 20, 0.9));

    [TestMethod]
    public void CosineMatchesTorchCosineAnnealingLR() => AssertMatches("cosine", new CosineSchedule(0.1, 20, 0.001));

    [TestMethod]
    public void StepMatchesTorchStepLR() => AssertMatches("step", new StepSchedule(0.1, 7, 0.5));

    [TestMethod]
    public void OneCycleMatchesTorchOneCycleLR() => AssertMatches("one_cycle", new OneCycleSchedule(0.1, 30, 0.3));

    [TestMethod]
    public void WarmupThenCosineMatchesTorchSequentialLR() =>
        AssertMatches("warmup_cosine", new WarmupSchedule(new CosineSchedule(0.1, 15), 5, 0.25));

    [TestMethod]
    public void InvalidArgumentsAreRejected()
    {
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new PolySchedule(0.1, 0));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ConstantSchedule(0.1).At(-1));
        Assert.ThrowsExactly<ArgumentException>(() => new OneCycleSchedule(0.1, 2));
    }
}
