using MLNet.Segmentation.Losses;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Training;
using TorchSharp;
using TorchSharp.Modules;
using CrossEntropyLoss = MLNet.Segmentation.Losses.CrossEntropyLoss;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Training;

[TestClass]
public sealed class SegmentationTrainerTests
{
    private const int Classes = 3;

    private static Sequential SmallNet(long seed)
    {
        random.manual_seed(seed);
        return nn.Sequential(Layers.Conv2d(Classes, 8, 3, padding: 1), nn.ReLU(), Layers.Conv2d(8, Classes, 1));
    }

    private static TrainerOptions Options(string? checkpoints = null, int epochs = 4) => new()
    {
        NumClasses = Classes,
        Epochs = epochs,
        Optimizer = OptimizerKind.Adam,
        LearningRate = 0.02,
        Schedule = ScheduleKind.Cosine,
        WarmupSteps = 2,
        ClipGradientNorm = 5,
        CheckpointDirectory = checkpoints,
        Device = CPU,
        Seed = 3,
    };

    private static string TempDir()
    {
        string dir = Path.Combine(Path.GetTempPath(), "mlseg-trainer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    [TestMethod]
    public void DroppingGradientsBetweenStepsTrainsTheSameWeightsAsZeroingThem()
    {
        float[] Train(bool gradientsToNone, out bool gradientsLeft)
        {
            using var train = new InMemoryBatchSource(16, Classes, 12, 8, seed: 1);
            using var model = SmallNet(5);
            new SegmentationTrainer(model, new CrossEntropyLoss(), Options(epochs: 2) with { GradientsToNone = gradientsToNone }).Fit(train);
            gradientsLeft = model.parameters().Any(p => p.grad is not null);
            return model.parameters().SelectMany(p => p.detach().data<float>().ToArray()).ToArray();
        }
        var dropped = Train(true, out bool leftWhenDropped);
        var zeroed = Train(false, out bool leftWhenZeroed);
        Assert.IsFalse(leftWhenDropped, "no gradient kept after the last step");
        Assert.IsTrue(leftWhenZeroed, "zero_grad keeps them");
        CollectionAssert.AreEqual(zeroed, dropped);
    }

    [TestMethod]
    public void LearnsTheToyProblemAndReportsProgress()
    {
        using var train = new InMemoryBatchSource(48, Classes, 12, 8, seed: 1);
        using var validation = new InMemoryBatchSource(8, Classes, 12, 8, seed: 2, shuffle: false);
        using var model = SmallNet(5);
        var events = new List<TrainingProgress>();
        var result = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(epochs: 6) with { LearningRate = 0.05 })
            .Fit(train, validation, new SynchronousProgress<TrainingProgress>(events.Add));

        Assert.AreEqual(6, result.History.Count);
        Assert.IsTrue(result.History[^1].TrainLoss < result.History[0].TrainLoss * 0.5,
            $"loss {result.History[0].TrainLoss:F3} -> {result.History[^1].TrainLoss:F3}");
        Assert.IsTrue(result.BestValidationMeanIoU > 0.7, $"best validation mIoU {result.BestValidationMeanIoU:F3}");
        Assert.AreEqual(result.History.Max(h => h.ValidationMeanIoU!.Value), result.BestValidationMeanIoU, 1e-12);
        Assert.AreEqual(6 * 6, events.Count(e => e.Kind == ProgressKind.Step));
        var ends = events.Where(e => e.Kind == ProgressKind.EpochEnd).ToList();
        Assert.AreEqual(6, ends.Count);
        Assert.IsTrue(ends.All(e => e.Validation is not null && e.ImagesPerSecond > 0));
        Assert.AreEqual(TimeSpan.Zero, ends[^1].EstimatedRemaining);
        // Warm-up then cosine: the first step uses a third of the base rate.
        Assert.AreEqual(0.05 / 3, events[0].LearningRate, 1e-12);
    }

    [TestMethod]
    public void ResumedRunReproducesTheUninterruptedLosses()
    {
        string full = TempDir(), interrupted = TempDir();
        try
        {
            using var train = new InMemoryBatchSource(24, Classes, 10, 8, seed: 11);
            using var validation = new InMemoryBatchSource(8, Classes, 10, 8, seed: 12, shuffle: false);

            TrainingResult reference;
            using (var model = SmallNet(7))
                reference = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(full)).Fit(train, validation);

            // Kill the second run after two epochs (cancellation at the first step of epoch 3)...
            using var cancel = new CancellationTokenSource();
            using (var model = SmallNet(7))
            {
                var progress = new SynchronousProgress<TrainingProgress>(p =>
                {
                    if (p.Kind == ProgressKind.EpochEnd && p.Epoch == 2) cancel.Cancel();
                });
                Assert.ThrowsExactly<OperationCanceledException>(() =>
                    new SegmentationTrainer(model, new CrossEntropyLoss(), Options(interrupted)).Fit(train, validation, progress, cancellationToken: cancel.Token));
            }
            Assert.IsTrue(File.Exists(Path.Combine(interrupted, "checkpoint.safetensors")));
            Assert.AreEqual(0, Directory.GetFiles(interrupted, "*.tmp").Length, "no partial files are left");

            // ...then resume from a differently initialised model: the checkpoint restores everything.
            TrainingResult resumed;
            using (var model = SmallNet(99))
                resumed = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(interrupted)).Fit(train, validation, resume: true);

            Assert.AreEqual(reference.History.Count, resumed.History.Count);
            for (int e = 0; e < reference.History.Count; e++)
            {
                Assert.AreEqual(reference.History[e].TrainLoss, resumed.History[e].TrainLoss, 1e-9, $"train loss of epoch {e + 1}");
                Assert.AreEqual(reference.History[e].ValidationMeanIoU!.Value, resumed.History[e].ValidationMeanIoU!.Value, 1e-9, $"mIoU of epoch {e + 1}");
            }
            Assert.AreEqual(reference.BestEpoch, resumed.BestEpoch);

            // A resume with another optimizer is refused, naming both.
            using (var model = SmallNet(99))
            {
                var error = Assert.ThrowsExactly<InvalidDataException>(() => new SegmentationTrainer(model, new CrossEntropyLoss(),
                    Options(interrupted) with { Optimizer = OptimizerKind.Sgd, Epochs = 5 }).Fit(train, validation, resume: true));
                StringAssert.Contains(error.Message, "Adam");
                StringAssert.Contains(error.Message, "SGD");
            }

            // So is one with another schedule, learning rate or warm-up (issue #20): the checkpoint records them.
            foreach (var other in new[]
                     {
                         Options(interrupted) with { Schedule = ScheduleKind.Poly },
                         Options(interrupted) with { LearningRate = 0.01 },
                         Options(interrupted) with { WarmupSteps = 0 },
                     })
            {
                using var model = SmallNet(99);
                var error = Assert.ThrowsExactly<InvalidDataException>(() =>
                    new SegmentationTrainer(model, new CrossEntropyLoss(), other).Fit(train, validation, resume: true));
                StringAssert.Contains(error.Message, "was written with the schedule 'Cosine, lr 0.02, warm-up 2 steps'; this run uses");
            }
        }
        finally
        {
            Directory.Delete(full, true);
            Directory.Delete(interrupted, true);
        }
    }

    [TestMethod]
    public void TrainingLeavesNoTensorBehind()
    {
        // Every step, validation batch, optimizer state and kept best weights is disposed: the process's live-tensor
        // count after Fit is what it was before, however many epochs ran.
        string dir = TempDir();
        try
        {
            using var train = new InMemoryBatchSource(16, Classes, 8, 8, seed: 41);
            using var validation = new InMemoryBatchSource(8, Classes, 8, 8, seed: 42, shuffle: false);
            using var model = SmallNet(3);
            // Tensors other tests left to the garbage collector must not be finalized while this test counts (after Fit,
            // nothing is collected first: a tensor Fit dropped without disposing it still counts).
            long before = LiveTensors.Settled();
            new SegmentationTrainer(model, new CrossEntropyLoss(), Options(dir, epochs: 2)).Fit(train, validation);
            long afterTwo = Tensor.TotalCount;
            new SegmentationTrainer(model, new CrossEntropyLoss(), Options(dir, epochs: 6)).Fit(train, validation, resume: true);
            long afterSix = Tensor.TotalCount;
            Assert.AreEqual(before, afterTwo, $"live tensors after 2 epochs ({before} before, {afterTwo} after, {afterSix} after 6)");
            Assert.AreEqual(before, afterSix, $"live tensors after 4 more epochs ({before} before, {afterSix} after)");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void EarlyStoppingEndsWhenValidationStopsImproving()
    {
        using var train = new InMemoryBatchSource(16, Classes, 8, 8, seed: 21);
        using var validation = new InMemoryBatchSource(8, Classes, 8, 8, seed: 22, shuffle: false);
        using var model = SmallNet(1);
        // A learning rate of ~0 freezes the model, so mIoU never improves after epoch 1.
        var options = Options(epochs: 10) with { LearningRate = 1e-12, EarlyStoppingPatience = 2, WarmupSteps = 0, Schedule = ScheduleKind.Constant };
        var result = new SegmentationTrainer(model, new CrossEntropyLoss(), options).Fit(train, validation);
        Assert.IsTrue(result.StoppedEarly);
        Assert.AreEqual(3, result.History.Count);
        Assert.AreEqual(1, result.BestEpoch);
    }

    [TestMethod]
    public void ResumeWithoutACheckpointIsAnErrorNotAFreshStart()
    {
        string dir = TempDir();
        try
        {
            using var train = new InMemoryBatchSource(8, Classes, 8, 8, seed: 31);
            using var model = SmallNet(1);
            var missing = Assert.ThrowsExactly<InvalidOperationException>(() =>
                new SegmentationTrainer(model, new CrossEntropyLoss(), Options(dir)).Fit(train, resume: true));
            StringAssert.Contains(missing.Message, Path.Combine(dir, "checkpoint.safetensors"));
            var noFolder = Assert.ThrowsExactly<InvalidOperationException>(() =>
                new SegmentationTrainer(model, new CrossEntropyLoss(), Options() with { CheckpointDirectory = null }).Fit(train, resume: true));
            StringAssert.Contains(noFolder.Message, "CheckpointDirectory");
            Assert.IsFalse(File.Exists(Path.Combine(dir, "checkpoint.safetensors")), "nothing was trained");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void CorruptCheckpointIsRejectedWithTheFileName()
    {
        string dir = TempDir();
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "checkpoint.safetensors"), [1, 2, 3]);
            using var train = new InMemoryBatchSource(8, Classes, 8, 8, seed: 31);
            using var model = SmallNet(1);
            var error = Assert.ThrowsExactly<InvalidDataException>(() =>
                new SegmentationTrainer(model, new CrossEntropyLoss(), Options(dir)).Fit(train, resume: true));
            StringAssert.Contains(error.Message, "safetensors");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}

/// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts asynchronously).</summary>
internal sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
