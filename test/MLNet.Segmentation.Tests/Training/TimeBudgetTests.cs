using MLNet.Segmentation.Data;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Training;
using TorchSharp.Modules;
using CrossEntropyLoss = MLNet.Segmentation.Losses.CrossEntropyLoss;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Training;

/// <summary>
/// The time budget (TimeBudgetPlan and the trainer's use of it), validation every few epochs and keeping the last
/// epoch's weights, on a fake clock that the batch sources advance: every number is a known answer, nothing is timed.
/// </summary>
[TestClass]
public sealed class TimeBudgetTests
{
    private const int Classes = 3;

    [TestMethod]
    public void PlanIsTheCompletedEpochsPlusAsManyMoreOfTheirMeanLengthAsTheRestOfTheBudgetHolds()
    {
        static TimeSpan s(double seconds) => TimeSpan.FromSeconds(seconds);
        Assert.AreEqual(50, TimeBudgetPlan.PlannedEpochs(0, s(0), s(100), 50), "nothing measured yet: the most epochs");
        Assert.AreEqual(3, TimeBudgetPlan.PlannedEpochs(1, s(30), s(100), 50), "1 + floor(70 / 30)");
        Assert.AreEqual(3, TimeBudgetPlan.PlannedEpochs(2, s(61), s(100), 50), "2 + floor(39 / 30.5)");
        Assert.AreEqual(3, TimeBudgetPlan.PlannedEpochs(3, s(92), s(100), 50), "8 s left: no further epoch fits");
        Assert.AreEqual(4, TimeBudgetPlan.PlannedEpochs(2, s(50), s(100), 50), "exactly two more fit");
        Assert.AreEqual(5, TimeBudgetPlan.PlannedEpochs(1, s(30), s(1000), 5), "capped by the most epochs");
        Assert.AreEqual(5, TimeBudgetPlan.PlannedEpochs(5, s(10), s(1000), 5));
        Assert.AreEqual(1, TimeBudgetPlan.PlannedEpochs(1, s(120), s(100), 50), "over budget: stop");
        Assert.AreEqual(50, TimeBudgetPlan.PlannedEpochs(1, s(0), s(100), 50), "epochs that take no time: all of them");
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TimeBudgetPlan.PlannedEpochs(-1, s(0), s(100), 50));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TimeBudgetPlan.PlannedEpochs(1, s(-1), s(100), 50));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TimeBudgetPlan.PlannedEpochs(1, s(1), s(0), 50));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => TimeBudgetPlan.PlannedEpochs(1, s(1), s(100), 0));
    }

    [TestMethod]
    public void BudgetSizesTheScheduleToTheEpochsThatFitAndStops()
    {
        // 3 batches of 10 s per epoch and a 1 s validation: epochs of 31 s in a 100 s budget. After epoch 1 the plan is
        // 1 + floor(70 / 30) = 3 epochs (9 steps); epoch 3 ends at 92 s and no fourth fits.
        var clock = new FakeClock();
        using var train = new InMemoryBatchSource(24, Classes, 8, 8, seed: 1);
        using var validation = new InMemoryBatchSource(8, Classes, 8, 8, seed: 2, shuffle: false);
        using var model = SmallNet(4);
        var events = new List<TrainingProgress>();
        var result = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(clock) with { TimeBudget = TimeSpan.FromSeconds(100) })
            .Fit(new ClockedSource(train, clock, 10), new ClockedSource(validation, clock, 1), new SynchronousProgress<TrainingProgress>(events.Add));

        Assert.AreEqual(3, result.History.Count);
        CollectionAssert.AreEqual(new[] { 31.0, 31.0, 31.0 }, result.History.Select(h => h.Seconds).ToArray());
        Assert.IsTrue(result.History.All(h => h.ValidationMeanIoU is not null));
        Assert.AreEqual(93, clock.Seconds, 1e-9);
        var steps = events.Where(e => e.Kind == ProgressKind.Step).ToList();
        Assert.AreEqual(9, steps.Count);
        // Epoch 1 runs under the schedule for the most epochs (50 x 3 steps); the rest under the plan's 9 steps.
        for (int step = 0; step < 9; step++)
        {
            double total = step < 3 ? 150 : 9;
            Assert.AreEqual(0.02 * (1 + Math.Cos(Math.PI * step / total)) / 2, steps[step].LearningRate, 1e-12, $"learning rate of step {step}");
        }
        CollectionAssert.AreEqual(new[] { 50, 50, 50, 3, 3, 3, 3, 3, 3 }, steps.Select(e => e.Epochs).ToArray());
        CollectionAssert.AreEqual(new[] { 3, 3, 3 }, events.Where(e => e.Kind == ProgressKind.EpochEnd).Select(e => e.Epochs).ToArray());
        // Images/s counts the steps' time only: 24 images per 30 s.
        Assert.AreEqual(0.8, events[^1].ImagesPerSecond, 1e-9);
    }

    [TestMethod]
    public void ResumedBudgetCountsTheTimeOfTheEpochsBefore()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlseg-budget-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var train = new InMemoryBatchSource(24, Classes, 8, 8, seed: 1);
            using var validation = new InMemoryBatchSource(8, Classes, 8, 8, seed: 2, shuffle: false);
            var budget = TimeSpan.FromSeconds(100);
            TrainingResult reference;
            var clock = new FakeClock();
            using (var model = SmallNet(4))
                reference = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(clock) with { TimeBudget = budget })
                    .Fit(new ClockedSource(train, clock, 10), new ClockedSource(validation, clock, 1));

            // Stop after epoch 1 (31 s), then resume on a fresh clock: 31 s are already spent, so two more epochs fit.
            clock = new FakeClock();
            using var cancel = new CancellationTokenSource();
            var stopAfterOne = new SynchronousProgress<TrainingProgress>(p => { if (p.Kind == ProgressKind.EpochEnd) cancel.Cancel(); });
            using (var model = SmallNet(4))
                Assert.ThrowsExactly<OperationCanceledException>(() => new SegmentationTrainer(model, new CrossEntropyLoss(),
                    Options(clock) with { TimeBudget = budget, CheckpointDirectory = dir })
                    .Fit(new ClockedSource(train, clock, 10), new ClockedSource(validation, clock, 1), stopAfterOne, cancellationToken: cancel.Token));
            clock = new FakeClock();
            TrainingResult resumed;
            using (var model = SmallNet(99))
                resumed = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(clock) with { TimeBudget = budget, CheckpointDirectory = dir })
                    .Fit(new ClockedSource(train, clock, 10), new ClockedSource(validation, clock, 1), resume: true);

            Assert.AreEqual(62, clock.Seconds, 1e-9, "the resumed run trained epochs 2 and 3");
            Assert.AreEqual(reference.History.Count, resumed.History.Count);
            for (int e = 0; e < reference.History.Count; e++)
                Assert.AreEqual(reference.History[e].TrainLoss, resumed.History[e].TrainLoss, 1e-9, $"train loss of epoch {e + 1}");
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void ValidatesEveryNthEpochAndTheLastAndCanKeepTheLastWeights()
    {
        var clock = new FakeClock();
        using var train = new InMemoryBatchSource(16, Classes, 8, 8, seed: 5);
        using var validation = new InMemoryBatchSource(8, Classes, 8, 8, seed: 6, shuffle: false);
        using var model = SmallNet(2);
        Dictionary<string, Tensor>? lastWeights = null;
        var progress = new SynchronousProgress<TrainingProgress>(p =>
        {
            if (p.Kind != ProgressKind.EpochEnd) return;
            if (lastWeights is not null) foreach (var t in lastWeights.Values) t.Dispose();
            lastWeights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());
        });
        var options = Options(clock) with { Epochs = 5, ValidationInterval = 2, RestoreBestWeights = false };
        var result = new SegmentationTrainer(model, new CrossEntropyLoss(), options)
            .Fit(new ClockedSource(train, clock, 10), new ClockedSource(validation, clock, 1), progress);

        CollectionAssert.AreEqual(new[] { false, true, false, true, true }, result.History.Select(h => h.ValidationMeanIoU is not null).ToArray());
        CollectionAssert.Contains(new[] { 2, 4, 5 }, result.BestEpoch, "only validated epochs compete");
        Assert.AreEqual(5 * 20 + 3 * 1, clock.Seconds, 1e-9, "three validations");
        Assert.IsNotNull(result.FinalValidation);
        foreach (var (name, tensor) in model.state_dict())
            Assert.AreEqual(0, TensorAssert.MaxAbsDifference(tensor, lastWeights![name]), $"{name} is the last epoch's");
        foreach (var t in lastWeights!.Values) t.Dispose();
    }

    private static Sequential SmallNet(long seed)
    {
        random.manual_seed(seed);
        return nn.Sequential(Layers.Conv2d(Classes, 8, 3, padding: 1), nn.ReLU(), Layers.Conv2d(8, Classes, 1));
    }

    private static TrainerOptions Options(FakeClock clock) => new()
    {
        NumClasses = Classes, Epochs = 50, Optimizer = OptimizerKind.Adam, LearningRate = 0.02, Schedule = ScheduleKind.Cosine,
        Device = CPU, Seed = 3, Clock = clock,
    };

    /// <summary>A clock that moves only when told.</summary>
    private sealed class FakeClock : TimeProvider
    {
        private long _ticks;

        public double Seconds => (double)_ticks / TimeSpan.TicksPerSecond;

        public void Advance(double seconds) => _ticks += (long)Math.Round(seconds * TimeSpan.TicksPerSecond);

        public override long GetTimestamp() => _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    /// <summary>A batch source whose every batch takes <c>secondsPerBatch</c> on the fake clock.</summary>
    private sealed class ClockedSource(IBatchSource inner, FakeClock clock, double secondsPerBatch) : IBatchSource
    {
        public int BatchesPerEpoch => inner.BatchesPerEpoch;

        public IEnumerable<SegmentationBatch> GetBatches(int epoch, CancellationToken cancellationToken)
        {
            foreach (var batch in inner.GetBatches(epoch, cancellationToken))
            {
                clock.Advance(secondsPerBatch);
                yield return batch;
            }
        }
    }
}
