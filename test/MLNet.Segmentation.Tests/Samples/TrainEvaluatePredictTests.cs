using System.Text.Json;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.Engine;
using MLNet.Segmentation.Inference;
using MLNet.Segmentation.Metrics;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Samples;
using static TorchSharp.torch;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>mlseg train → evaluate → predict on a small folder dataset written to disk, cross-checked against the library.</summary>
[TestClass]
public sealed class TrainEvaluatePredictTests
{
    private static string _root = "";

    [ClassInitialize]
    public static void WriteDataset(TestContext _) => _root = CliFolderData.Write("mlseg-cli-", seed: 4);

    [ClassCleanup]
    public static void Remove()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private static Task<(int Exit, string Output, string Error)> Run(params string[] args) => CliFolderData.Run(args);

    private static string Data => Path.Combine(_root, "data");

    private static readonly string[] DataArgs = ["--layout", "folder", "--classes", "4", "--mask-encoding", "ids", "--val-fraction", "0.25"];

    private static async Task<string> TrainedModel()
    {
        string outDir = Path.Combine(_root, "run");
        string model = Path.Combine(outDir, "model.mlseg.zip");
        if (File.Exists(model)) return model;
        var (exit, output, error) = await Run(["train", "--data", Data, .. DataArgs, "--arch", "unet", "--width-divisor", "16",
            "--epochs", "2", "--batch", "3", "--lr", "0.01", "--seed", "3", "--out", outDir]);
        Assert.AreEqual(0, exit, error + output);
        StringAssert.Contains(output, "9 training and 3 validation images");
        StringAssert.Contains(output, "epoch   2/2");
        return model;
    }

    [TestMethod]
    public async Task TrainWritesModelCheckpointsPicturesAndReport()
    {
        string model = await TrainedModel();
        string dir = Path.GetDirectoryName(model)!;
        using (var loaded = SegmentationModelFile.Load(model))
        {
            Assert.AreEqual("unet", loaded.Manifest.Architecture);
            CollectionAssert.AreEqual(new[] { "class 0", "class 1", "class 2", "class 3" }, loaded.Manifest.ClassNames.ToArray());
            CollectionAssert.AreEqual(new[] { 0.485f, 0.456f, 0.406f }, loaded.Manifest.Mean, "RGB data: ImageNet normalization by default (--normalize auto)");
        }
        Assert.IsTrue(File.Exists(Path.Combine(dir, "checkpoints", "checkpoint.safetensors")));
        Assert.IsTrue(File.Exists(Path.Combine(dir, "checkpoints", "best.safetensors")));
        Assert.AreEqual(3, Directory.GetFiles(Path.Combine(dir, "predictions"), "*.png").Length);
        string html = File.ReadAllText(Path.Combine(dir, "report.html"));
        StringAssert.Contains(html, "<svg");
        StringAssert.Contains(html, "class 3");
    }

    [TestMethod]
    public async Task ExportThenPredictAndEvaluateOnOnnxRuntimeAsOnTorchSharp()
    {
        string model = await TrainedModel();
        string onnx = Path.Combine(_root, "onnx", "model.onnx");
        var export = await Run("export", "--model", model, "--onnx", onnx, "--dynamic-size");
        Assert.AreEqual(0, export.Exit, export.Error + export.Output);
        StringAssert.Contains(export.Output, "loads in ONNX Runtime");

        string images = Path.Combine(Data, "images");
        var torchRun = await Run("predict", "--model", model, "--input", images, "--out", Path.Combine(_root, "p-torch"));
        var onnxRun = await Run("predict", "--model", onnx, "--input", images, "--out", Path.Combine(_root, "p-onnx"));
        Assert.AreEqual(0, torchRun.Exit, torchRun.Error);
        Assert.AreEqual(0, onnxRun.Exit, onnxRun.Error);
        long same = 0, total = 0;
        foreach (string file in Directory.GetFiles(Path.Combine(_root, "p-torch", "ids")))
        {
            var a = ImageDecoder.Read(file, ImageDecodeMode.Raw).Pixels8;
            var b = ImageDecoder.Read(Path.Combine(_root, "p-onnx", "ids", Path.GetFileName(file)), ImageDecodeMode.Raw).Pixels8;
            total += a.Length;
            same += a.Zip(b, (x, y) => x == y ? 1 : 0).Sum();
        }
        Assert.AreEqual(12 * 32 * 32, total);
        Assert.IsTrue(same >= 0.9999 * total, $"{same} of {total} class ids agree");

        string[] evaluate = ["--data", Data, "--layout", "folder", "--mask-encoding", "ids", "--val-fraction", "0.25", "--json"];
        var torchEval = await Run(["evaluate", "--model", model, .. evaluate]);
        var onnxEval = await Run(["evaluate", "--model", onnx, .. evaluate]);
        Assert.AreEqual(0, onnxEval.Exit, onnxEval.Error);
        using var t = JsonDocument.Parse(torchEval.Output);
        using var o = JsonDocument.Parse(onnxEval.Output);
        Assert.AreEqual(t.RootElement.GetProperty("miou").GetDouble(), o.RootElement.GetProperty("miou").GetDouble(), 1e-3);

        // The TorchSharp-free ML.NET sample on the same export: ApplyOnnxModel's ids are the predictor's.
        var sample = await Run("sample", "onnx", "--onnx", onnx, "--images", images, "--masks", Path.Combine(Data, "masks"), "--size", "32x32",
            "--out", Path.Combine(_root, "s-onnx"));
        Assert.AreEqual(0, sample.Exit, sample.Error + sample.Output);
        StringAssert.Contains(sample.Output, "12 image(s) scored by ONNX Runtime through ML.NET's ApplyOnnxModel");
        StringAssert.Contains(sample.Output, "mIoU");
        Assert.AreEqual(12, Directory.GetFiles(Path.Combine(_root, "s-onnx", "predictions"), "*.png").Length);
        var noSize = await Run("sample", "onnx", "--onnx", onnx, "--images", images, "--out", Path.Combine(_root, "s-x"));
        Assert.AreEqual(2, noSize.Exit);
        StringAssert.Contains(noSize.Error, "--size is required");

        var both = await Run("export", "--model", model, "--onnx", onnx, "--dynamic-size", "--size", "32x32");
        Assert.AreEqual(2, both.Exit);
        StringAssert.Contains(both.Error, "--size");
        var device = await Run("predict", "--model", onnx, "--input", images, "--out", Path.Combine(_root, "p-x"), "--device", "cpu");
        Assert.AreEqual(2, device.Exit);
        StringAssert.Contains(device.Error, "ONNX Runtime");
        var notOnnx = await Run("export", "--model", model, "--onnx", Path.Combine(_root, "model.bin"));
        Assert.AreEqual(2, notOnnx.Exit);
    }

    [TestMethod]
    public async Task EvaluateJsonMatchesTheLibrarysOwnEvaluation()
    {
        string model = await TrainedModel();
        var (exit, output, error) = await Run("evaluate", "--model", model, "--data", Data, "--layout", "folder", "--mask-encoding", "ids",
            "--val-fraction", "0.25", "--json"); // classes from the model file
        Assert.AreEqual(0, exit, error);
        using var json = JsonDocument.Parse(output);
        double miou = json.RootElement.GetProperty("miou").GetDouble();
        Assert.AreEqual(3, json.RootElement.GetProperty("images").GetInt32());

        // The same three validation files (the last quarter), predicted and scored directly.
        using var loaded = SegmentationModelFile.Load(model);
        var predictor = new SegmentationPredictor(loaded.Model);
        using var matrix = new ConfusionMatrix(4);
        var files = PairedFileDataset.FromFolders(Path.Combine(Data, "images"), Path.Combine(Data, "masks"),
            DatasetDescription.SyntheticShapes);
        for (int i = 9; i < 12; i++)
        {
            using var scope = NewDisposeScope();
            using var sample = files.Get(i);
            using var prediction = predictor.Predict(sample.Image);
            matrix.Update(prediction.ClassIds.select(0, 0), sample.Mask);
        }
        Assert.AreEqual(matrix.ComputeMetrics().MeanIoU, miou, 1e-12);
    }

    [TestMethod]
    public async Task PredictWritesClassIdColourAndOverlayPngs()
    {
        string model = await TrainedModel();
        string outDir = Path.Combine(_root, "pred");
        string input = Path.Combine(Data, "images", "10.png");
        var (exit, output, error) = await Run("predict", "--model", model, "--input", input, "--out", outDir, "--tile", "16", "--overlap", "0.5", "--tta");
        Assert.AreEqual(0, exit, error);
        StringAssert.Contains(output, "1 image(s) segmented");

        using var loaded = SegmentationModelFile.Load(model);
        var predictor = new SegmentationPredictor(loaded.Model, new PredictorOptions
        {
            HorizontalFlip = true, SlidingWindow = new SlidingWindowOptions { TileSize = (16, 16), Overlap = 0.5 },
        });
        using var image = ImageDecoder.ReadTensor(input, 3);
        using var expected = predictor.Predict(image);
        byte[] expectedIds;
        using (NewDisposeScope()) expectedIds = TensorData.ToArray<byte>(expected.ClassIds.to_type(ScalarType.Byte));

        var ids = ImageDecoder.Read(Path.Combine(outDir, "ids", "10.png"), ImageDecodeMode.Raw);
        Assert.AreEqual(1, ids.Channels);
        CollectionAssert.AreEqual(expectedIds, ids.Pixels8);
        var colour = ImageDecoder.Read(Path.Combine(outDir, "color", "10.png"), ImageDecodeMode.Raw);
        Assert.IsNotNull(colour.Palette, "colourized mask is a palette PNG");
        CollectionAssert.AreEqual(expectedIds, colour.Pixels8, "its indices are the class ids");
        var overlay = ImageDecoder.Read(Path.Combine(outDir, "overlay", "10.png"));
        Assert.AreEqual((32, 32, 3), (overlay.Width, overlay.Height, overlay.Channels));
    }

    [TestMethod]
    public async Task BadArgumentsAndBadDataEndWithOneLineErrors()
    {
        var noClasses = await Run("train", "--data", Data, "--layout", "folder", "--out", Path.Combine(_root, "x"));
        Assert.AreEqual(2, noClasses.Exit);
        StringAssert.Contains(noClasses.Error, "give --classes K or --class-names");

        var badArch = await Run(["train", "--data", Data, .. DataArgs, "--arch", "resnet", "--out", Path.Combine(_root, "x")]);
        Assert.AreEqual(2, badArch.Exit);
        StringAssert.Contains(badArch.Error, "--arch must be one of unet|");

        var twice = await Run("predict", "--model", "a", "--model", "b");
        Assert.AreEqual(2, twice.Exit);
        StringAssert.Contains(twice.Error, "Option '--model' expects a single argument but 2 were provided");

        string missing = Path.Combine(_root, "missing.zip");
        var noModel = await Run(["evaluate", "--model", missing, "--data", Data, .. DataArgs]);
        Assert.AreEqual(1, noModel.Exit);
        StringAssert.Contains(noModel.Error, missing);
        Assert.AreEqual(1, noModel.Error.Trim().Split('\n').Length, noModel.Error);

        string model = await TrainedModel();
        string corrupt = Path.Combine(_root, "corrupt.png");
        File.WriteAllBytes(corrupt, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        var badImage = await Run("predict", "--model", model, "--input", corrupt, "--out", Path.Combine(_root, "p2"));
        Assert.AreEqual(1, badImage.Exit);
        StringAssert.Contains(badImage.Error, corrupt);

        var wrongClasses = await Run(["evaluate", "--model", model, "--data", Data, "--layout", "folder", "--classes", "3", "--mask-encoding", "ids"]);
        Assert.AreEqual(1, wrongClasses.Exit);
        StringAssert.Contains(wrongClasses.Error, "the model predicts 4 classes but the dataset has 3");
    }

    [TestMethod]
    public async Task HostileCommandLinesFailBeforeWorkWithOneLineOrKeepEveryOutput()
    {
        // Issue #20, 4: x.png and x.jpg in one folder got the same output names.
        string model = await TrainedModel();
        string inputs = Path.Combine(_root, "same-stem");
        Directory.CreateDirectory(inputs);
        using (var sample = new SyntheticShapesDataset(1, 32, 32, seed: 9).Get(0))
        {
            ImageEncoder.WritePng(Path.Combine(inputs, "x.png"), sample.Image);
            ImageEncoder.WriteJpeg(Path.Combine(inputs, "x.jpg"), Image.FromTensor(sample.Image));
            ImageEncoder.WritePng(Path.Combine(inputs, "y.png"), sample.Image);
        }
        string predicted = Path.Combine(_root, "same-stem-out");
        var both = await Run("predict", "--model", model, "--input", inputs, "--out", predicted);
        Assert.AreEqual(0, both.Exit, both.Error);
        CollectionAssert.AreEquivalent(new[] { "x.jpg.png", "x.png.png", "y.png" },
            Directory.GetFiles(Path.Combine(predicted, "ids")).Select(Path.GetFileName).ToArray());
        StringAssert.Contains(both.Output, "3 image(s) segmented");

        // 5: --resume without a checkpoint started from scratch; a folder as --model was "does not exist".
        string fresh = Path.Combine(_root, "fresh");
        var resume = await Run(["train", "--data", Data, .. DataArgs, "--width-divisor", "16", "--epochs", "1", "--out", fresh, "--resume"]);
        Assert.AreEqual(1, resume.Exit);
        Assert.AreEqual($"mlseg train: --resume: no checkpoint at {Path.Combine(fresh, "checkpoints", "checkpoint.safetensors")}; run without --resume to start afresh",
            resume.Error.Trim());
        string runFolder = Path.GetDirectoryName(model)!;
        var folderModel = await Run("predict", "--model", runFolder, "--input", inputs, "--out", predicted);
        Assert.AreEqual(1, folderModel.Exit);
        Assert.AreEqual($"mlseg predict: --model {runFolder}: is a folder; give the model file, e.g. {model}", folderModel.Error.Trim());

        // 6: outputs that cannot be written were found only after training, in .NET's words.
        string blocked = Path.Combine(_root, "blocked");
        Directory.CreateDirectory(Path.Combine(blocked, "report.html"));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var reportFolder = await Run(["train", "--data", Data, .. DataArgs, "--width-divisor", "16", "--epochs", "50", "--out", blocked]);
        Assert.AreEqual(1, reportFolder.Exit);
        Assert.AreEqual($"mlseg train: --out {blocked}: report.html is a folder, where this command writes a file; move it or choose another --out",
            reportFolder.Error.Trim());
        Assert.IsFalse(Directory.Exists(Path.Combine(blocked, "checkpoints")), "refused before training started");
        Assert.IsTrue(clock.Elapsed.TotalSeconds < 20, "refused before 50 epochs of training");
        var unwritable = await Run("predict", "--model", model, "--input", inputs, "--out", "/proc/mlseg-out");
        Assert.AreEqual(1, unwritable.Exit);
        StringAssert.StartsWith(unwritable.Error.Trim(), "mlseg predict: --out /proc/mlseg-out: cannot write there (");
        Assert.AreEqual(1, unwritable.Error.Trim().Split('\n').Length, unwritable.Error);
    }
}
