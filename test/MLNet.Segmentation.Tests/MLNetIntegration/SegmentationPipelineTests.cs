using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Metrics;
using MLNet.Segmentation.MLNetIntegration;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>The ML.NET integration end to end on the synthetic shapes written as PNG files.</summary>
[TestClass]
public sealed class SegmentationPipelineTests
{
    public sealed class Row
    {
        public string ImagePath { get; set; } = "";
        public string MaskPath { get; set; } = "";
    }

    public sealed class Prediction
    {
        [ColumnName("PredictedLabel")] public uint[] PredictedLabel { get; set; } = [];
    }

    private static string _root = "";
    private static Row[] _rows = [];

    [ClassInitialize]
    public static void WriteDataset(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlseg-mlnet-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        var shapes = new SyntheticShapesDataset(16, 32, 32, seed: 9);
        _rows = new Row[shapes.Count];
        for (int i = 0; i < shapes.Count; i++)
        {
            using var sample = shapes.Get(i);
            _rows[i] = new Row { ImagePath = Path.Combine(_root, $"image{i}.png"), MaskPath = Path.Combine(_root, $"mask{i}.png") };
            ImageEncoder.WritePng(_rows[i].ImagePath, sample.Image);
            ImageEncoder.WriteMask(_rows[i].MaskPath, sample.Mask);
        }
    }

    [ClassCleanup]
    public static void Remove()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private static SegmentationTrainerOptions Options(IDataView? validation = null) => new()
    {
        ImageColumnName = "Image", LabelColumnName = "MaskPath", NumberOfClasses = 4, WidthDivisor = 8, NumberOfEpochs = 8,
        BatchSize = 4, LearningRate = 0.01, ValidationSet = validation, MaskEncoding = MaskEncoding.ClassIds, ScoreColumnName = "Score",
        ClassNames = ["background", "circle", "rectangle", "triangle"],
    };

    private static IEstimator<ITransformer> Pipeline(MLContext ml, IDataView? validation = null) =>
        ml.Transforms.CopyColumns("Image", "ImagePath").Append(ml.Segmentation().Trainers.UNet(Options(validation)));

    [TestMethod]
    public void TrainTransformEvaluateSaveLoadAndPredict()
    {
        var ml = new MLContext(seed: 1);
        var messages = new List<string>();
        ml.Log += (_, e) => { lock (messages) messages.Add(e.Message); };
        var train = ml.Data.LoadFromEnumerable(_rows[..12]);
        var test = ml.Data.LoadFromEnumerable(_rows[12..]);
        // The validation set is given as the trainer sees its input: after the preceding transforms.
        var validation = ml.Transforms.CopyColumns("Image", "ImagePath").Fit(test).Transform(test);
        var model = Pipeline(ml, validation).Fit(train);
        Assert.IsTrue(messages.Any(m => m.Contains("epoch 8/8")), "epoch summaries reach MLContext.Log");

        var scored = model.Transform(test);
        Assert.AreEqual(new VectorDataViewType(NumberDataViewType.UInt32), scored.Schema["PredictedLabel"].Type);
        var predicted = scored.GetColumn<VBuffer<uint>>("PredictedLabel").Select(v => v.DenseValues().ToArray()).ToArray();
        var scores = scored.GetColumn<VBuffer<float>>("Score").First().DenseValues().ToArray();
        Assert.AreEqual(4 * 32 * 32, scores.Length);
        Assert.AreEqual(1.0, scores[0] + scores[1024] + scores[2048] + scores[3072], 1e-5, "probabilities sum to 1 per pixel");

        // Evaluate agrees with the library's confusion matrix over the same predictions and mask files.
        var metrics = ml.Segmentation().Evaluate(scored, numberOfClasses: 4, labelColumnName: "MaskPath", maskEncoding: MaskEncoding.ClassIds);
        using var matrix = new MLNet.Segmentation.Metrics.ConfusionMatrix(4);
        var reader = new MaskReader(new MaskOptions { Encoding = MaskEncoding.ClassIds, NumClasses = 4 });
        for (int i = 0; i < predicted.Length; i++)
        {
            using var truth = reader.Read(_rows[12 + i].MaskPath);
            matrix.Update(predicted[i].Select(v => (byte)v).ToArray(), TensorData.ToArray<byte>(truth.to_type(ScalarType.Byte)));
        }
        var expected = matrix.ComputeMetrics();
        Assert.AreEqual(expected.MeanIoU, metrics.MeanIoU, 1e-12);
        Assert.AreEqual(expected.PixelAccuracy, metrics.PixelAccuracy, 1e-12);
        Assert.IsTrue(metrics.PixelAccuracy > 0.75, $"pixel accuracy {metrics.PixelAccuracy:F3} after 8 epochs");
        Assert.AreEqual(4, metrics.PerClassHausdorff95.Count);

        // ML.NET's own Save refuses, naming the method that works.
        var refused = Assert.Throws<Exception>(() => ml.Model.Save(model, train.Schema, Path.Combine(_root, "refused.zip")),
            "mlContext.Model.Save must not write a pipeline it cannot reload");
        StringAssert.Contains(refused.ToString(), "mlContext.Segmentation().SaveModel");

        string path = Path.Combine(_root, "pipeline.zip");
        ml.Segmentation().SaveModel(model, train.Schema, path);
        var fresh = new MLContext(seed: 2);
        var loaded = fresh.Segmentation().LoadModel(path, out var schema);
        Assert.IsNotNull(schema.GetColumnOrNull("ImagePath"));
        var engine = fresh.Model.CreatePredictionEngine<Row, Prediction>(loaded, inputSchema: schema);
        for (int i = 0; i < predicted.Length; i++)
            CollectionAssert.AreEqual(predicted[i], engine.Predict(_rows[12 + i]).PredictedLabel, $"row {i}");

        // LoadModel places the networks by ML.NET's device rule, as training does.
        if (TorchRuntime.CudaIsAvailable) return;
        var gpu = Assert.Throws<InvalidOperationException>(() => new MLContext { GpuDeviceId = 0, FallbackToCpu = false }.Segmentation().LoadModel(path, out _));
        StringAssert.Contains(gpu.Message, "FallbackToCpu");
        var fallback = new MLContext { GpuDeviceId = 0, FallbackToCpu = true }.Segmentation().LoadModel(path, out _);
        CollectionAssert.AreEqual(predicted[0], fallback.Transform(test).GetColumn<VBuffer<uint>>("PredictedLabel").First().DenseValues().ToArray());
    }

    [TestMethod]
    public void SameSeedSameModelAndGpuRequestWithoutCudaFailsUnlessFallbackIsAllowed()
    {
        uint[] Fit(MLContext ml)
        {
            var data = ml.Data.LoadFromEnumerable(_rows[..8]);
            var model = Pipeline(ml).Fit(data);
            return model.Transform(data).GetColumn<VBuffer<uint>>("PredictedLabel").First().DenseValues().ToArray();
        }
        CollectionAssert.AreEqual(Fit(new MLContext(seed: 5)), Fit(new MLContext(seed: 5)));
        if (TorchRuntime.CudaIsAvailable) return;
        var gpu = new MLContext(seed: 5) { GpuDeviceId = 0, FallbackToCpu = false };
        var e = Assert.Throws<InvalidOperationException>(() => Fit(gpu));
        StringAssert.Contains(e.Message, "FallbackToCpu");
        Fit(new MLContext(seed: 5) { GpuDeviceId = 0, FallbackToCpu = true });
    }

    [TestMethod]
    public void SchemaErrorsNameTheColumnAtGetOutputSchemaAndFit()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(_rows[..4]);
        var missing = ml.Segmentation().Trainers.UNet(numberOfClasses: 4, labelColumnName: "MaskPath", imageColumnName: "Nope");
        var e1 = Assert.Throws<ArgumentOutOfRangeException>(() => missing.Fit(data));
        StringAssert.Contains(e1.Message, "Could not find image column 'Nope'");
        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => missing.GetOutputSchema(new SchemaShape([])));
        StringAssert.Contains(e2.Message, "Could not find image column 'Nope'");
        var idsAsImage = SchemaShapes.WithVector(SchemaShapes.WithVector(new SchemaShape([]), "Image", NumberDataViewType.UInt32),
            "MaskPath", NumberDataViewType.UInt32);
        var e4 = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ml.Segmentation().Trainers.UNet(numberOfClasses: 4, labelColumnName: "MaskPath").GetOutputSchema(idsAsImage));
        StringAssert.Contains(e4.Message, "Schema mismatch for image column 'Image'");

        var numbers = ml.Data.LoadFromEnumerable(new[] { new { Image = 1f, MaskPath = "x" } });
        var wrongType = ml.Segmentation().Trainers.UNet(numberOfClasses: 4, labelColumnName: "MaskPath");
        var e3 = Assert.Throws<ArgumentOutOfRangeException>(() => wrongType.Fit(numbers));
        StringAssert.Contains(e3.Message, "Schema mismatch for image column 'Image'");
        StringAssert.Contains(e3.Message, "got Single");
    }
}
