using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Data.Transforms;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.MLNetIntegration;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.MLNetIntegration;

/// <summary>
/// SaveModel/LoadModel of pipelines built from the segmentation column transforms, training-only steps
/// (TransformerScope, Augment), and a load in a fresh OS process.
/// </summary>
[TestClass]
public sealed class PipelineStorageTests
{
    private static string _root = "";
    private static SegmentationPipelineTests.Row[] _rows = [];

    [ClassInitialize]
    public static void WriteDataset(TestContext _)
    {
        _root = Path.Combine(Path.GetTempPath(), "mlseg-store-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_root);
        var shapes = new SyntheticShapesDataset(16, 32, 32, seed: 4);
        _rows = new SegmentationPipelineTests.Row[shapes.Count];
        var palette = DatasetDescription.DefaultColors(4);
        for (int i = 0; i < shapes.Count; i++)
        {
            using var sample = shapes.Get(i);
            _rows[i] = new SegmentationPipelineTests.Row { ImagePath = Path.Combine(_root, $"image{i}.png"), MaskPath = Path.Combine(_root, $"mask{i}.png") };
            ImageEncoder.WritePng(_rows[i].ImagePath, sample.Image);
            // An RGB colour mask (not a palette PNG), decoded by LoadMasks through its colour table.
            var ids = TensorData.ToArray<long>(sample.Mask.to_type(ScalarType.Int64));
            var rgb = ids.SelectMany(id => new[] { palette[(int)id].R, palette[(int)id].G, palette[(int)id].B }).ToArray();
            ImageEncoder.WritePng(_rows[i].MaskPath, new Image(32, 32, 3, rgb));
        }
    }

    [ClassCleanup]
    public static void Remove()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private static readonly float[] Mean = [0.4f, 0.5f, 0.6f], Std = [0.2f, 0.25f, 0.3f];

    private static MaskOptions ColorMasks => new()
    {
        Encoding = MaskEncoding.RgbColors, NumClasses = 4, ColorTable = MaskOptions.ColorTableOf(DatasetDescription.DefaultColors(4)),
    };

    /// <summary>Counts the samples it augments (a horizontal flip with probability 1/2).</summary>
    private sealed class CountingFlip : IJointTransform
    {
        private readonly RandomHorizontalFlip _flip = new();
        private int _count;
        public int Count => _count;

        public (Tensor Image, Tensor Mask) Apply(Tensor image, Tensor mask, Generator generator)
        {
            Interlocked.Increment(ref _count);
            return _flip.Apply(image, mask, generator);
        }
    }

    [TestMethod]
    public void ColumnTransformsRoundTripThroughSaveModel()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(_rows[..3]);
        var transforms = ml.Segmentation().Transforms;
        var model = transforms.LoadImages("Pixels", "ImagePath")
            .Append(transforms.NormalizeImage("Normalized", "Pixels", Mean, Std))
            .Append(transforms.LoadMasks("Mask", "MaskPath", ColorMasks))
            .Fit(data);
        string path = Path.Combine(_root, "transforms.zip");
        ml.Segmentation().SaveModel(model, data.Schema, path);
        var loaded = new MLContext(seed: 2).Segmentation().LoadModel(path, out var schema);
        // The stored schema is the scoring schema: LoadMasks passes rows without a mask through, so MaskPath is not in it.
        CollectionAssert.AreEqual(new[] { "ImagePath" }, schema.Select(c => c.Name).ToArray());

        var before = model.Transform(data);
        var after = loaded.Transform(data);
        foreach (string column in new[] { "Pixels", "Normalized" })
            CollectionAssert.AreEqual(Floats(before, column), Floats(after, column), column);
        var masks = after.GetColumn<VBuffer<uint>>("Mask").Select(v => v.DenseValues().ToArray()).ToArray();
        CollectionAssert.AreEqual(before.GetColumn<VBuffer<uint>>("Mask").SelectMany(v => v.DenseValues()).ToArray(), masks.SelectMany(m => m).ToArray());

        // Known answers: the decoded colour mask is the dataset's class ids; normalization is (x - mean) / std per channel.
        using var truth = new SyntheticShapesDataset(16, 32, 32, seed: 4).Get(0);
        CollectionAssert.AreEqual(TensorData.ToArray<long>(truth.Mask.to_type(ScalarType.Int64)).Select(v => (uint)v).ToArray(), masks[0]);
        var pixels = Floats(after, "Pixels")[..(3 * 1024)];
        var normalized = Floats(after, "Normalized")[..(3 * 1024)];
        for (int i = 0; i < pixels.Length; i += 97)
            Assert.AreEqual((pixels[i] - Mean[i / 1024]) / Std[i / 1024], normalized[i], 1e-6, $"value {i}");

        // A pipeline.json naming a transform this version does not know fails naming the file and the transform.
        string tampered = Path.Combine(_root, "tampered.zip");
        File.Copy(path, tampered, overwrite: true);
        using (var zip = System.IO.Compression.ZipFile.Open(tampered, System.IO.Compression.ZipArchiveMode.Update))
        {
            var entry = zip.GetEntry("pipeline.json")!;
            string json;
            using (var reader = new StreamReader(entry.Open())) json = reader.ReadToEnd();
            entry.Delete();
            using var writer = new StreamWriter(zip.CreateEntry("pipeline.json").Open());
            writer.Write(json.Replace("\"NormalizeImage\"", "\"Sharpen\""));
        }
        var e = Assert.Throws<InvalidDataException>(() => new MLContext().Segmentation().LoadModel(tampered, out _));
        StringAssert.Contains(e.Message, "tampered.zip");
        StringAssert.Contains(e.Message, "unknown column transform 'Sharpen'");
    }

    [TestMethod]
    public void TrainingOnlyStepsAreAppliedInTrainingAndLeftOutOfTheSavedModelWhichPredictsIdenticallyInAFreshProcess()
    {
        var ml = new MLContext(seed: 3);
        var train = ml.Data.LoadFromEnumerable(_rows[..12]);
        var test = ml.Data.LoadFromEnumerable(_rows[12..]);
        var flip = new CountingFlip();
        var transforms = ml.Segmentation().Transforms;
        var pipeline = transforms.LoadImages("Pixels", "ImagePath")
            .Append(transforms.NormalizeImage("Normalized", "Pixels", Mean, Std))
            .Append(transforms.LoadMasks("Mask", "MaskPath", ColorMasks), TransformerScope.TrainTest)
            .Append(transforms.Augment(flip, "Normalized", "Mask"), TransformerScope.Training)
            .Append(ml.Segmentation().Trainers.UNet(new SegmentationTrainerOptions
            {
                ImageColumnName = "Normalized", LabelColumnName = "Mask", NumberOfClasses = 4, WidthDivisor = 8, NumberOfEpochs = 3,
                BatchSize = 4, LearningRate = 0.01, PixelLayout = new PixelLayout { Channels = 3, Height = 32, Width = 32, Scale = 1 },
            }));
        var model = pipeline.Fit(train);
        Assert.AreEqual(3 * 12, flip.Count, "every training sample is augmented once per epoch (3 epochs x 12 images)");

        // Scoring leaves out the label and augmentation steps: the test rows need no Mask column.
        var scored = model.Transform(test);
        Assert.IsNull(scored.Schema.GetColumnOrNull("Mask"));
        var expected = scored.GetColumn<VBuffer<uint>>("PredictedLabel").Select(v => string.Join(',', v.DenseValues())).ToArray();
        Assert.AreEqual(3 * 12, flip.Count, "scoring does not augment");

        string path = Path.Combine(_root, "pipeline.zip");
        ml.Segmentation().SaveModel(model, train.Schema, path);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(path))
        using (var reader = new StreamReader(zip.GetEntry("pipeline.json")!.Open()))
        {
            string index = reader.ReadToEnd();
            StringAssert.Contains(index, "\"LoadImages\"");
            StringAssert.Contains(index, "\"NormalizeImage\"");
            Assert.IsFalse(index.Contains("LoadMasks"), "the TrainTest-scoped mask step is not part of the scoring model");
        }

        string list = Path.Combine(_root, "images.txt"), output = Path.Combine(_root, "child-predictions.txt");
        File.WriteAllLines(list, _rows[12..].Select(r => r.ImagePath));
        var (exitCode, stdout, stderr) = ChildProcess.RunTestAssembly(PipelineInFreshProcess.Job, path, list, output);
        Assert.AreEqual(0, exitCode, $"child process failed:\n{stdout}\n{stderr}");
        StringAssert.Contains(stdout, "predicted 4 images");
        Assert.IsFalse(stdout.Contains($"process {Environment.ProcessId}:"), "the load ran in another process");
        CollectionAssert.AreEqual(expected, File.ReadAllLines(output), "a fresh process predicts what the training process predicted");
    }

    private static float[] Floats(IDataView data, string column) =>
        data.GetColumn<VBuffer<float>>(column).SelectMany(v => v.DenseValues()).ToArray();
}
