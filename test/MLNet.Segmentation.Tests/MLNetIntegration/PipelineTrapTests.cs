using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.MLNetIntegration;
using MLNet.Segmentation.Training;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>
/// Traps 3 to 6 of issue #19: evaluation without TransformerScope tricks, the saved input schema is the scoring schema,
/// a disposed PredictionEngine leaves the network alone, labels are checked before the first step.
/// </summary>
[TestClass]
public sealed class PipelineTrapTests
{
    private static ShapesOnDisk _shapes = null!;

    [ClassInitialize]
    public static void Write(TestContext _) => _shapes = new ShapesOnDisk(10, 32, 32, seed: 31);

    [ClassCleanup]
    public static void Remove() => _shapes.Dispose();

    public sealed class Prediction
    {
        public uint[] PredictedLabel { get; set; } = [];
    }

    private static SegmentationTrainerOptions Options(string label = "Mask") => new()
    {
        ImageColumnName = "Image", LabelColumnName = label, NumberOfClasses = 4, WidthDivisor = 8, NumberOfEpochs = 2, BatchSize = 4,
        LearningRate = 0.01, ClassNames = ["background", "circle", "rectangle", "triangle"],
    };

    private static EstimatorChain<SegmentationTransformer> Pipeline(MLContext ml, TransformerScope maskScope = TransformerScope.Everything) =>
        ml.Transforms.LoadImages("Image", null, "ImagePath")
            .Append(ml.Segmentation().Transforms.ResizeMasks("Mask", 32, 32, "MaskPath", options: new MaskOptions { Encoding = MaskEncoding.ClassIds }), maskScope)
            .Append(ml.Segmentation().Trainers.UNet(Options()));

    [TestMethod]
    public void AScoredPipelineEvaluatesWithoutScopesAndAScopedOneSaysWhatToDo()
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(_shapes.Rows[..7]);
        var valid = ml.Data.LoadFromEnumerable(_shapes.Rows[7..]);
        var model = Pipeline(ml).Fit(train);
        var scored = model.Transform(valid);
        var metrics = ml.Segmentation().Evaluate(scored, labelColumnName: "Mask");
        // The same numbers as against the mask files; classes and names from the model.
        var fromFiles = ml.Segmentation().Evaluate(scored, labelColumnName: "MaskPath", maskEncoding: MaskEncoding.ClassIds);
        Assert.AreEqual(fromFiles.MeanIoU, metrics.MeanIoU, 1e-12);
        Assert.AreEqual(3 * 32 * 32, metrics.NumberOfPixels);
        CollectionAssert.AreEqual(new[] { "background", "circle", "rectangle", "triangle" }, metrics.ClassNames.ToArray());

        // Scoring rows without a mask column pass the mask step.
        var imagesOnly = ml.Data.LoadFromEnumerable(_shapes.Rows[7..].Select(r => new ImageRow { ImagePath = r.ImagePath }));
        CollectionAssert.AreEqual(ShapesOnDisk.Ids(scored, "PredictedLabel")[0], ShapesOnDisk.Ids(model.Transform(imagesOnly), "PredictedLabel")[0]);

        // The old advice (mask steps in TrainTest scope) drops the label from model.Transform: the error says what to do.
        var scopedModel = Pipeline(new MLContext(seed: 1), TransformerScope.TrainTest).Fit(train);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Segmentation().Evaluate(scopedModel.Transform(valid), labelColumnName: "Mask"));
        StringAssert.Contains(e.Message, "Could not find label column 'Mask' in the scored data");
        StringAssert.Contains(e.Message, "model.Transform(data, TransformerScope.Testing)");
        var testing = ml.Segmentation().Evaluate(scopedModel.Transform(valid, TransformerScope.Testing), labelColumnName: "Mask");
        var scopedFromFiles = ml.Segmentation().Evaluate(scopedModel.Transform(valid), labelColumnName: "MaskPath", maskEncoding: MaskEncoding.ClassIds);
        Assert.AreEqual(scopedFromFiles.MeanIoU, testing.MeanIoU, 1e-12);
    }

    [TestMethod]
    public void TheSavedInputSchemaIsTheScoringSchemaAndADisposedPredictionEngineLeavesTheNetwork()
    {
        var ml = new MLContext(seed: 2);
        var train = ml.Data.LoadFromEnumerable(_shapes.Rows[..6]);
        var model = Pipeline(ml).Fit(train);
        var expected = ShapesOnDisk.Ids(model.Transform(train), "PredictedLabel");

        // A PredictionEngine owns (and disposes) its transformer by default: the network must survive that.
        using (var engine = ml.Model.CreatePredictionEngine<ImageRow, Prediction>(model))
            CollectionAssert.AreEqual(expected[0], engine.Predict(new ImageRow { ImagePath = _shapes.Rows[0].ImagePath }).PredictedLabel);
        CollectionAssert.AreEqual(expected[1], ShapesOnDisk.Ids(model.Transform(train), "PredictedLabel")[1], "Transform after the engine is gone");
        string path = Path.Combine(_shapes.Root, "scoring-schema.zip");
        ml.Segmentation().SaveModel(model, train.Schema, path);

        // The stored schema holds what scoring reads: the image path, not the mask path.
        var loaded = new MLContext(seed: 3).Segmentation().LoadModel(path, out var schema);
        CollectionAssert.AreEqual(new[] { "ImagePath" }, schema.Select(c => c.Name).ToArray());
        using var loadedEngine = ml.Model.CreatePredictionEngine<ImageRow, Prediction>(loaded, schema);
        for (int i = 0; i < 6; i++)
            CollectionAssert.AreEqual(expected[i], loadedEngine.Predict(new ImageRow { ImagePath = _shapes.Rows[i].ImagePath }).PredictedLabel, $"row {i}");
        // Rows with the mask path still work with the stored schema.
        using var withMask = ml.Model.CreatePredictionEngine<SegmentationPipelineTests.Row, Prediction>(loaded, schema);
        CollectionAssert.AreEqual(expected[2], withMask.Predict(_shapes.Rows[2]).PredictedLabel);

        // Freeing the network is explicit, and using it afterwards says so.
        model.LastTransformer.DisposeNetwork();
        var e = Assert.Throws<ObjectDisposedException>(() => ml.Segmentation().SaveModel(model, train.Schema, path));
        StringAssert.Contains(e.Message, "DisposeNetwork");
    }

    /// <summary>Counts the progress events Fit reports.</summary>
    private sealed class Steps : IProgress<TrainingProgress>
    {
        public int Count;
        public void Report(TrainingProgress value) => Count++;
    }

    public sealed class IdRow
    {
        public string ImagePath { get; set; } = "";
        [VectorType(32, 32)] public uint[] Ids { get; set; } = [];
    }

    [TestMethod]
    public void LabelsAreCheckedBeforeTheFirstStepNamingColumnRowAndValue()
    {
        // Row 3's mask file holds id 255 (e.g. an unmapped void colour) for 4 classes.
        using var shapes = new ShapesOnDisk(6, 32, 32, seed: 32);
        var bad = shapes.Masks[3].Select((v, k) => k == 40 ? 255L : v).ToArray();
        ImageEncoder.WriteMask(shapes.Rows[3].MaskPath, bad, 32, 32);
        var ml = new MLContext(seed: 1);
        var steps = new Steps();
        var options = Options("MaskPath");
        options.Progress = steps;
        var byPath = ml.Transforms.LoadImages("Image", null, "ImagePath").Append(ml.Segmentation().Trainers.UNet(options));
        var e = Assert.Throws<InvalidDataException>(() => byPath.Fit(ml.Data.LoadFromEnumerable(shapes.Rows)));
        StringAssert.Contains(e.Message, "label column 'MaskPath', row 3");
        StringAssert.Contains(e.Message, "class id 255 at pixel (8, 1)");
        StringAssert.Contains(e.Message, "expected 0..3");
        Assert.AreEqual(0, steps.Count, "no training step ran");

        // The same for a class-id vector column; with IgnoreIndex 255 the row is valid.
        var rows = shapes.Rows.Select((r, i) => new IdRow
        {
            ImagePath = r.ImagePath, Ids = (i == 3 ? bad : shapes.Masks[i]).Select(v => (uint)v).ToArray(),
        }).ToArray();
        var vectorOptions = Options("Ids");
        vectorOptions.Progress = steps;
        var byVector = ml.Transforms.LoadImages("Image", null, "ImagePath").Append(ml.Segmentation().Trainers.UNet(vectorOptions));
        var e2 = Assert.Throws<InvalidDataException>(() => byVector.Fit(ml.Data.LoadFromEnumerable(rows)));
        StringAssert.Contains(e2.Message, "training data: label column 'Ids', row 3: the class-id vector: class id 255 at pixel (8, 1)");
        Assert.AreEqual(0, steps.Count);
        vectorOptions.IgnoreIndex = 255;
        vectorOptions.NumberOfEpochs = 1;
        ml.Transforms.LoadImages("Image", null, "ImagePath").Append(ml.Segmentation().Trainers.UNet(vectorOptions)).Fit(ml.Data.LoadFromEnumerable(rows));
        Assert.IsTrue(steps.Count > 0);
    }
}
