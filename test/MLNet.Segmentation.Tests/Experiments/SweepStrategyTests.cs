using MLNet.Segmentation.Data;
using MLNet.Segmentation.Experiments;
using MLNet.Segmentation.Tests.Training;
using MLNet.Segmentation.Training;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Experiments;

/// <summary>Random and grid search, the budgets, failing trials and the time budget stopping a run, on one-epoch tiny trials.</summary>
[TestClass]
public sealed class SweepStrategyTests
{
    private static SweepOptions OneEpoch(string dir, SearchStrategy strategy, SweepBudget budget)
    {
        var options = TinySweeps.Options(dir, strategy, budget);
        options.Epochs = 1;
        return options;
    }

    [TestMethod]
    public void RandomSearchRunsTheSeededTrialsAndAGridEndsByItself()
    {
        string dir = TinySweeps.TempDir("sweep-random"), gridDir = TinySweeps.TempDir("sweep-grid");
        try
        {
            var random = new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, OneEpoch(dir, SearchStrategy.Random, SweepBudget.FromTrials(2))).Run();
            Assert.AreEqual("trial budget (2 trials)", random.StopReason);
            CollectionAssert.AreEqual(new[] { 1, 2 }, random.Trials.Select(t => t.Trial).ToArray());
            for (int t = 1; t <= 2; t++)
                Assert.AreEqual(SegmentationSweep.SampleTrial(TinySweeps.Space(), 11, t), random.Trials[t - 1].Parameters);
            Assert.IsTrue(random.Trials.All(t => t.Status == TrialStatus.Completed && t.Epochs == 1 && t.RungScores.Count == 0));
            Assert.IsTrue(TrialLog.Read(random.LogPath).All(e => e.Rung is null));

            // A time budget counts the time the log records: spent already, so a rerun stops at once.
            var late = OneEpoch(dir, SearchStrategy.Random, SweepBudget.Parse("0.001s"));
            Assert.AreEqual("time budget (0.001s)", new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, late).Run().StopReason);
            Assert.AreEqual(2, TrialLog.Read(random.LogPath).Count);

            var gridOptions = OneEpoch(gridDir, SearchStrategy.Grid, SweepBudget.Unlimited);
            gridOptions.SearchSpace = TinySweeps.Space().Fix(p => p.Architecture, "unet").Fix(p => p.Loss, LossChoice.CrossEntropy)
                .Fix(p => p.ClassWeights, false).Fix(p => p.Optimizer, OptimizerKind.Adam).Fix(p => p.WeightDecay, 0).Fix(p => p.Augmentation, AugmentationLevel.None);
            gridOptions.SearchSpace.LearningRate = SearchRange.LogUniform(1e-3, 1e-2, 1e-3, gridPoints: 2);
            var grid = new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation, gridOptions).Run();
            Assert.AreEqual("grid done (4 trials)", grid.StopReason);
            CollectionAssert.AreEqual(gridOptions.SearchSpace.Grid().ToArray(), grid.Trials.Select(t => t.Parameters).ToArray());
            // The learning rate comes before the batch size in the space, so it varies slower.
            CollectionAssert.AreEqual(new[] { (4, 1e-3), (8, 1e-3), (4, 1e-2), (8, 1e-2) },
                grid.Trials.Select(t => (t.Parameters.BatchSize, Math.Round(t.Parameters.LearningRate, 12))).ToArray());
        }
        finally
        {
            TinySweeps.Remove(dir, gridDir);
        }
    }

    [TestMethod]
    public void AnEpochBudgetStopsBeforeARunThatWouldExceedIt()
    {
        string dir = TinySweeps.TempDir("sweep-epochs");
        try
        {
            var result = new SegmentationSweep(TinySweeps.Train, TinySweeps.Validation,
                TinySweeps.Options(dir, budget: SweepBudget.Parse("3epochs"))).Run();
            Assert.AreEqual("epoch budget (3 epochs)", result.StopReason);
            // Trial 1 to epoch 1, trial 2 to epoch 1, the better of them promoted to epoch 2: three epochs.
            var log = TrialLog.Read(result.LogPath);
            CollectionAssert.AreEqual(new int?[] { 0, 0, 1 }, log.Select(e => e.Rung).ToArray());
            Assert.AreEqual(3, result.Trials.Sum(t => t.Epochs));
        }
        finally
        {
            TinySweeps.Remove(dir);
        }
    }

    [TestMethod]
    public void FailingTrialsAreLoggedWithTheirErrorAndTheSweepGoesOn()
    {
        string dir = TinySweeps.TempDir("sweep-failing");
        try
        {
            var broken = new BrokenDataset(TinySweeps.Train, 5);
            var result = new SegmentationSweep(broken, TinySweeps.Validation, OneEpoch(dir, SearchStrategy.Random, SweepBudget.FromTrials(2))).Run();
            Assert.AreEqual(2, result.Trials.Count);
            foreach (var trial in result.Trials)
            {
                Assert.AreEqual(TrialStatus.Failed, trial.Status);
                Assert.AreEqual("sample 5 is broken: bad mask", trial.Error);
                Assert.IsNull(trial.Score);
            }
            Assert.IsNull(result.BestTrial);
            Assert.IsNull(result.BestModelPath);
            Assert.IsFalse(File.Exists(Path.Combine(dir, "best.mlseg.zip")));
            StringAssert.Contains(File.ReadAllText(result.ReportPath), "sample 5 is broken: bad mask");
        }
        finally
        {
            TinySweeps.Remove(dir);
        }
    }

    [TestMethod]
    public void TheTimeBudgetEndingARunKeepsItsFinishedEpochs()
    {
        string dir = TinySweeps.TempDir("sweep-budget");
        try
        {
            using var budget = new CancellationTokenSource();
            var options = TinySweeps.Options(dir);
            options.Progress = new SynchronousProgress<SweepProgress>(p =>
            {
                if (p.Kind == SweepProgressKind.Epoch) budget.Cancel();
            });
            var parameters = SegmentationSweep.SampleTrial(options.SearchSpace, options.Seed, 1);
            var trainer = new TrialTrainer(TinySweeps.Train, TinySweeps.Validation, options, dir, CPU);
            var entry = trainer.Train(new TrialRun(1, null, parameters, 4), CancellationToken.None, budget.Token);
            Assert.AreEqual(TrialStatus.Budget, entry.Status);
            Assert.AreEqual(1, entry.Epochs);
            Assert.AreEqual(entry.History[0].ValidationMeanIoU, entry.Score);
            Assert.AreEqual(1, entry.BestEpoch);

            // Out of time before the first step: a budget entry without epochs.
            var none = trainer.Train(new TrialRun(2, null, parameters, 4), CancellationToken.None, budget.Token);
            Assert.AreEqual(TrialStatus.Budget, none.Status);
            Assert.AreEqual(0, none.Epochs);
            Assert.IsNull(none.Score);

            // The user's token is not the budget: it cancels the run.
            using var user = new CancellationTokenSource();
            user.Cancel();
            Assert.ThrowsExactly<OperationCanceledException>(() => trainer.Train(new TrialRun(3, null, parameters, 4), user.Token, CancellationToken.None));
        }
        finally
        {
            TinySweeps.Remove(dir);
        }
    }

    [TestMethod]
    public void OptionsAreCheckedBeforeAnyTraining()
    {
        var options = TinySweeps.Options("unused");
        options.OutputDirectory = null;
        StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => options.Validate()).Message, "OutputDirectory is required");
        var random = TinySweeps.Options("unused", SearchStrategy.Random, SweepBudget.Unlimited);
        Assert.AreEqual("a Random sweep needs a budget (time, trials or epochs); only a grid ends by itself",
            Assert.ThrowsExactly<ArgumentException>(() => random.Validate()).Message);
        Assert.ThrowsExactly<ArgumentException>(() => new SegmentationSweep(TinySweeps.Train, new SyntheticShapesDataset(0, 48, 48), TinySweeps.Options("unused")));
    }

    private sealed class BrokenDataset(ISegmentationDataset inner, int broken) : ISegmentationDataset
    {
        public int Count => inner.Count;
        public DatasetDescription Description => inner.Description;
        public SegmentationSample Get(int index) => index == broken ? throw new InvalidDataException($"sample {index} is broken:\nbad mask") : inner.Get(index);
    }
}
