using MLNet.Segmentation.Models;
using MLNet.Segmentation.Nn;
using MLNet.Segmentation.Training;
using TorchSharp.Modules;
using CrossEntropyLoss = MLNet.Segmentation.Losses.CrossEntropyLoss;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Training;

/// <summary>TrainerOptions.StopAfterEpochs (successive halving's rungs) and ModelBuildSettings.OutputStride.</summary>
[TestClass]
public sealed class StopAfterEpochsTests
{
    private static Sequential Net()
    {
        random.manual_seed(7);
        return nn.Sequential(Layers.Conv2d(3, 8, 3, padding: 1), nn.ReLU(), Layers.Conv2d(8, 3, 1));
    }

    private static TrainerOptions Options(string dir, int? stopAfter) => new()
    {
        NumClasses = 3, Epochs = 4, StopAfterEpochs = stopAfter, Optimizer = OptimizerKind.Adam, LearningRate = 0.02, Schedule = ScheduleKind.Cosine,
        CheckpointDirectory = dir, Device = CPU, Seed = 3,
    };

    [TestMethod]
    public void PausingAtARungAndResumingGivesTheUninterruptedRun()
    {
        string full = Path.Combine(Path.GetTempPath(), "mlseg-rung-" + Guid.NewGuid().ToString("N")), paused = full + "-paused";
        try
        {
            using var train = new InMemoryBatchSource(24, 3, 10, 8, seed: 11);
            using var validation = new InMemoryBatchSource(8, 3, 10, 8, seed: 12, shuffle: false);
            TrainingResult reference;
            using (var model = Net())
                reference = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(full, null)).Fit(train, validation);

            TrainingResult first, second;
            using (var model = Net())
                first = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(paused, 1)).Fit(train, validation);
            using (var model = Net())
                second = new SegmentationTrainer(model, new CrossEntropyLoss(), Options(paused, 4)).Fit(train, validation, resume: true);

            Assert.AreEqual(1, first.History.Count);
            // The schedule spans all 4 epochs in both runs: epoch 1 ends at the same learning rate.
            Assert.AreEqual(reference.History[0].LearningRate, first.History[0].LearningRate);
            Assert.AreEqual(4, second.History.Count);
            for (int e = 0; e < 4; e++)
            {
                Assert.AreEqual(reference.History[e].TrainLoss, second.History[e].TrainLoss, 1e-12, $"epoch {e + 1}");
                Assert.AreEqual(reference.History[e].ValidationMeanIoU!.Value, second.History[e].ValidationMeanIoU!.Value, 1e-12);
            }
            Assert.AreEqual(reference.BestEpoch, second.BestEpoch);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Options(paused, 0).Validate());
        }
        finally
        {
            foreach (string dir in new[] { full, paused })
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [TestMethod]
    public void OutputStrideReachesTheDeepLabs()
    {
        using var eight = (DeepLabV3Plus)ModelCatalog.Create("deeplabv3plus-resnet18", new ModelBuildSettings(2, 3, 16, OutputStride: 8));
        using var sixteen = (DeepLabV3)ModelCatalog.Create("deeplabv3-resnet18", new ModelBuildSettings(2, 3, 16));
        Assert.AreEqual(8, eight.Options.OutputStride);
        Assert.AreEqual(16, sixteen.Options.OutputStride);
        CollectionAssert.AreEqual(new[] { 12, 24, 36 }, eight.Options.EffectiveRates.ToArray());
    }
}
