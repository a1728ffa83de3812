using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.MLNetIntegration;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>
/// Issue #19's proof on real data (../shared/datasets/membrane; skipped when absent): 25 training and 5 validation slices
/// through ImageAnalytics (LoadImages, ResizeImages to 256), masks resized alongside, a small U-Net, Evaluate, SaveModel,
/// then LoadModel and a PredictionEngine in a fresh process agreeing with Transform.
/// </summary>
[TestClass]
public sealed class MembraneEndToEndTests
{
    public TestContext TestContext { get; set; } = null!;

    public sealed class Segmented
    {
        public uint[] PredictedLabel { get; set; } = [];
        public MLImage Overlay { get; set; } = null!;
    }

    [TestMethod]
    public void MembraneThroughImageAnalyticsTrainsEvaluatesAndPredictsTheSameAfterSaveAndLoadInAFreshProcess()
    {
        string folder = KnownDatasets.FindDataset("membrane")
            ?? throw new AssertInconclusiveException("../shared/datasets/membrane not found (or set MLSEG_DATASETS); skipping the membrane end-to-end test");
        var samples = KnownDatasets.Membrane(MembraneSplit.All, folder).Samples;
        var rows = samples.Select(s => new SegmentationPipelineTests.Row { ImagePath = s.ImagePath, MaskPath = s.MaskPath }).ToArray();
        var clock = Stopwatch.StartNew();

        // The pipeline a user writes (README, `mlseg sample mlnet`).
        var ml = new MLContext(seed: 1);
        var seg = ml.Segmentation();
        var train = ml.Data.LoadFromEnumerable(rows[..25]);
        var valid = ml.Data.LoadFromEnumerable(rows[25..]);
        var pipeline = ml.Transforms.LoadImages("Image", imageFolder: null, inputColumnName: "ImagePath")
            .Append(ml.Transforms.ResizeImages("Image", imageWidth: 256, imageHeight: 256))
            .Append(seg.Transforms.ResizeMasks("Mask", 256, 256, "MaskPath", options: new MaskOptions { Encoding = MaskEncoding.Binary }))
            .Append(seg.Trainers.UNet(new SegmentationTrainerOptions
            {
                ImageColumnName = "Image", LabelColumnName = "Mask", NumberOfClasses = 2, ClassNames = ["membrane", "cell"],
                ImageChannels = 1, WidthDivisor = 8, NumberOfEpochs = 8, BatchSize = 2, LearningRate = 1e-2,
            }))
            .Append(seg.Transforms.OverlayMask("Overlay", "Image"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(valid);
        var metrics = seg.Evaluate(scored, labelColumnName: "Mask");
        TestContext.WriteLine($"membrane, 25 train / 5 validation at 256x256, U-Net width/8, 8 epochs of batch 2: {metrics} ({clock.Elapsed.TotalSeconds:F1} s)");
        TestContext.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());
        Assert.IsTrue(metrics.MeanIoU > 0.7, $"validation mIoU {metrics.MeanIoU:F4}");
        Assert.IsTrue(metrics.PixelAccuracy > 0.85, $"pixel accuracy {metrics.PixelAccuracy:F4}");

        string root = Path.Combine(Path.GetTempPath(), "mlseg-membrane-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            string path = Path.Combine(root, "membrane.zip");
            seg.SaveModel(model, train.Schema, path);
            string list = Path.Combine(root, "images.txt"), output = Path.Combine(root, "predictions.txt");
            File.WriteAllLines(list, rows[25..].Select(r => r.ImagePath));
            var (exitCode, stdout, stderr) = ChildProcess.RunTestAssembly(PipelineInFreshProcess.Job, path, list, output);
            Assert.AreEqual(0, exitCode, $"child process failed:\n{stdout}\n{stderr}");
            var expected = ShapesOnDisk.Ids(scored, "PredictedLabel").Select(v => string.Join(',', v)).ToArray();
            CollectionAssert.AreEqual(expected, File.ReadAllLines(output), "PredictionEngine on the loaded model (fresh process) = Transform");

            // In this process too, with the overlay: rows of CreateEnumerable and the engine's output save as PNG files.
            var rowsOut = ml.Data.CreateEnumerable<Segmented>(scored, reuseRowObject: false).ToList();
            for (int i = 0; i < rowsOut.Count; i++) rowsOut[i].Overlay.Save(Path.Combine(root, $"overlay-{25 + i}.png"));
            Assert.AreEqual((256, 256), (ImageDecoder.Read(Path.Combine(root, "overlay-29.png")).Width, ImageDecoder.Read(Path.Combine(root, "overlay-29.png")).Height));
            var loaded = new MLContext().Segmentation().LoadModel(path, out var schema);
            CollectionAssert.AreEqual(new[] { "ImagePath" }, schema.Select(c => c.Name).ToArray());
            using var engine = ml.Model.CreatePredictionEngine<ImageRow, Segmented>(loaded, schema);
            var prediction = engine.Predict(new ImageRow { ImagePath = rows[29].ImagePath });
            CollectionAssert.AreEqual(rowsOut[4].PredictedLabel, prediction.PredictedLabel);
            Assert.AreEqual((256, 256), (prediction.Overlay.Width, prediction.Overlay.Height));
        }
        finally
        {
            Directory.Delete(root, true);
        }
        TestContext.WriteLine($"total {clock.Elapsed.TotalSeconds:F1} s");
    }
}
