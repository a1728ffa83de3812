using Microsoft.ML;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Experiments;
using MLNet.Segmentation.MLNetIntegration;
using MLNet.Segmentation.Training;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Experiments;

/// <summary>mlContext.Segmentation().Experiment on PNG files: the best trial's transformer scores what its trial logged.</summary>
[TestClass]
public sealed class ExperimentMLNetTests
{
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";
        public string MaskPath { get; set; } = "";
    }

    private static Row[] Write(SyntheticShapesDataset shapes, string folder)
    {
        Directory.CreateDirectory(folder);
        return Enumerable.Range(0, shapes.Count).Select(i =>
        {
            using var sample = shapes.Get(i);
            var row = new Row { ImagePath = Path.Combine(folder, $"image{i}.png"), MaskPath = Path.Combine(folder, $"mask{i}.png") };
            ImageEncoder.WritePng(row.ImagePath, sample.Image);
            ImageEncoder.WriteMask(row.MaskPath, sample.Mask);
            return row;
        }).ToArray();
    }

    [TestMethod]
    public void ExperimentReturnsTheBestTrialsFittedTransformer()
    {
        string root = TinySweeps.TempDir("experiment");
        try
        {
            var ml = new MLContext(seed: 1);
            var messages = new List<string>();
            ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
            var train = ml.Data.LoadFromEnumerable(Write(new SyntheticShapesDataset(16, 32, 32, seed: 4), Path.Combine(root, "train")));
            var validation = ml.Data.LoadFromEnumerable(Write(new SyntheticShapesDataset(4, 32, 32, seed: 1004), Path.Combine(root, "val")));
            var sweep = TinySweeps.Options(Path.Combine(root, "sweep"), budget: SweepBudget.FromTrials(3));
            sweep.Epochs = 2;
            sweep.Device = null;
            var options = new SegmentationExperimentOptions
            {
                ImageColumnName = "ImagePath", LabelColumnName = "MaskPath", NumberOfClasses = 4, MaskEncoding = MaskEncoding.ClassIds,
                ClassNames = ["background", "circle", "rectangle", "triangle"], Sweep = sweep,
            };
            var result = ml.Segmentation().Experiment(train, validation, options).Run();

            Assert.AreEqual(3, result.Trials.Count);
            Assert.AreEqual(result.Trials.Max(t => t.Score), result.BestTrial.Score);
            Assert.IsTrue(messages.Any(m => m.Contains("trial 1 rung 0: ")), "finished runs reach MLContext.Log");
            var scored = result.BestModel.Transform(validation);
            var metrics = ml.Segmentation().Evaluate(scored, labelColumnName: "MaskPath", maskEncoding: MaskEncoding.ClassIds);
            Assert.AreEqual(result.BestTrial.MeanIoU!.Value, metrics.MeanIoU, 1e-9, "the transformer scores what its trial logged");
            Assert.AreEqual(result.BestTrial.PixelAccuracy!.Value, metrics.PixelAccuracy, 1e-9);
            CollectionAssert.AreEqual(options.ClassNames.ToArray(), result.BestModel.Manifest.ClassNames.ToArray());
            result.BestModel.DisposeNetwork();

            // Data from Transforms.Augment is refused: the experiment picks the augmentation.
            var augmented = ml.Segmentation().Transforms.Augment(new MLNet.Segmentation.Data.Transforms.RandomHorizontalFlip(), "ImagePath", "MaskPath").Fit(train).Transform(train);
            StringAssert.Contains(Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Experiment(augmented, validation, options)).Message, "Transforms.Augment");
        }
        finally
        {
            TinySweeps.Remove(root);
        }
    }

    [TestMethod]
    public void TrialParametersMakeTheirTrainer()
    {
        var ml = new MLContext(seed: 1);
        var p = new SegmentationSearchSpace().Defaults() with
        {
            Architecture = "deeplabv3plus", Backbone = "resnet18", OutputStride = 8, WidthDivisor = 16, Loss = LossChoice.Focal,
            Optimizer = OptimizerKind.Sgd, LearningRate = 0.02, WeightDecay = 1e-5, BatchSize = 2, CropSize = 32, Augmentation = AugmentationLevel.Full,
        };
        var template = new SegmentationTrainerOptions { NumberOfClasses = 4, NumberOfEpochs = 3, LabelColumnName = "MaskPath" };
        var estimator = ml.Segmentation().Trainers.Trial(p, template);
        Assert.AreEqual("deeplabv3plus-resnet18", estimator.Architecture);
        var o = estimator.Options;
        Assert.AreEqual((18, 8, 16, OptimizerKind.Sgd, 0.02, 1e-5, 2, 3, "MaskPath"),
            (o.BackboneDepth, o.OutputStride, o.WidthDivisor, o.Optimizer, o.LearningRate, o.WeightDecay, o.BatchSize, o.NumberOfEpochs, o.LabelColumnName));
        Assert.IsInstanceOfType<MLNet.Segmentation.Losses.FocalLoss>(o.Loss);
        Assert.AreEqual(255L, ((MLNet.Segmentation.Losses.FocalLoss)o.Loss).Options.IgnoreIndex, "crops pad with 255, which the loss ignores");
        Assert.IsNotNull(o.Augmentation);
        Assert.AreEqual((1, null, OptimizerKind.AdamW), (template.WidthDivisor, template.Loss, template.Optimizer), "the template is left as it was");
        Assert.ThrowsExactly<ArgumentException>(() => ml.Segmentation().Trainers.Trial(p with { ClassWeights = true }, template));
    }
}
