using System.Text.Json;
using MLNet.Segmentation.Data;
using MLNet.Segmentation.ModelFiles;
using MLNet.Segmentation.Samples;
using MLNet.Segmentation.Weights;

namespace MLNet.Segmentation.Tests.Samples;

/// <summary>
/// mlseg train's options for the CamVid recipe: --order (a shared epoch-order file), --validate-every, --keep last,
/// --crop HxW and metrics.json, on a small folder dataset; --minutes is the trainer's TimeBudget (TimeBudgetTests).
/// </summary>
[TestClass]
public sealed class TrainBudgetOptionsTests
{
    private static string _root = "";

    [ClassInitialize]
    public static void WriteDataset(TestContext _) => _root = CliFolderData.Write("mlseg-cli-budget-", seed: 8);

    [ClassCleanup]
    public static void Remove()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, true);
    }

    private static Task<(int Exit, string Output, string Error)> Run(params string[] args) => CliFolderData.Run(args);

    private static string[] DataArgs =>
        ["--data", Path.Combine(_root, "data"), "--layout", "folder", "--classes", "4", "--mask-encoding", "ids", "--val-fraction", "0.25"];

    private static string[] TrainArgs(string outDir, string orders) =>
        ["train", .. DataArgs, "--arch", "unet", "--width-divisor", "16", "--epochs", "3", "--batch", "3", "--crop", "16x24",
         "--order", orders, "--validate-every", "2", "--keep", "last", "--seed", "2", "--out", outDir];

    [TestMethod]
    public async Task OrderValidationIntervalLastWeightsCropAndMetricsFile()
    {
        string orders = Path.Combine(_root, "orders.txt");
        EpochOrderFile.Write(orders, [[8, 7, 6, 5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5, 6, 7, 8], [4, 0, 8, 1, 7, 2, 6, 3, 5]]);
        string outDir = Path.Combine(_root, "run");
        var (exit, output, error) = await Run(TrainArgs(outDir, orders));
        Assert.AreEqual(0, exit, error + output);
        string flat = output.ReplaceLineEndings(""); // the terminal wraps long lines
        StringAssert.Contains(flat, $"3 epoch orders from {orders}");
        StringAssert.Contains(flat, "crop 16x24");
        var epochLines = output.Split('\n').Where(l => l.TrimStart().StartsWith("epoch ", StringComparison.Ordinal)).ToArray();
        CollectionAssert.AreEqual(new[] { false, true, true }, epochLines.Select(l => l.Contains("val mIoU")).ToArray(), output);
        StringAssert.Contains(flat, "keeping epoch 3's weights");

        string model = Path.Combine(outDir, "model.mlseg.zip");
        using (var loaded = SegmentationModelFile.Load(model))
        using (var checkpoint = SafeTensors.Load(Path.Combine(outDir, "checkpoints", "checkpoint.safetensors")))
        {
            CollectionAssert.AreEqual(new[] { 16, 24 }, loaded.Manifest.TileSize);
            int compared = 0;
            foreach (var (name, tensor) in loaded.Model.state_dict())
            {
                Assert.AreEqual(0, TensorAssert.MaxAbsDifference(tensor, checkpoint["model." + name]), $"{name}: the model file holds the last epoch's weights");
                compared++;
            }
            Assert.IsTrue(compared > 10);
        }

        // metrics.json is what `mlseg evaluate --json` says of the saved model (both whole-image).
        var evaluated = await Run(["evaluate", "--model", model, .. DataArgs, "--json"]);
        Assert.AreEqual(0, evaluated.Exit, evaluated.Error);
        using var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "metrics.json")));
        using var again = JsonDocument.Parse(evaluated.Output);
        foreach (string key in new[] { "miou", "pixel_accuracy", "mean_class_accuracy" })
            Assert.AreEqual(again.RootElement.GetProperty(key).GetDouble(), written.RootElement.GetProperty(key).GetDouble(), 1e-12, key);
        static long[] Counts(JsonDocument d) => d.RootElement.GetProperty("confusion_matrix").EnumerateArray().SelectMany(r => r.Longs()).ToArray();
        CollectionAssert.AreEqual(Counts(again), Counts(written), "confusion matrix");
    }

    [TestMethod]
    public async Task BadOrderFilesAndBudgetsAreOneLineErrors()
    {
        string shortFile = Path.Combine(_root, "short.txt");
        EpochOrderFile.Write(shortFile, [[8, 7, 6, 5, 4, 3, 2, 1, 0], [0, 1, 2, 3, 4, 5, 6, 7, 8]]);
        var tooFew = await Run(TrainArgs(Path.Combine(_root, "bad1"), shortFile));
        Assert.AreEqual(1, tooFew.Exit);
        StringAssert.Contains(tooFew.Error, $"--order {shortFile}: 2 epoch orders for up to 3 epochs");
        Assert.AreEqual(1, tooFew.Error.Trim().Split('\n').Length, tooFew.Error);

        string wrongCount = Path.Combine(_root, "wrong.txt");
        File.WriteAllText(wrongCount, "0 1 2\n");
        var wrong = await Run(TrainArgs(Path.Combine(_root, "bad2"), wrongCount));
        Assert.AreEqual(1, wrong.Exit);
        StringAssert.Contains(wrong.Error, $"{wrongCount}, line 1: 3 indices where the dataset has 9 samples");

        var zero = await Run([.. TrainArgs(Path.Combine(_root, "bad3"), shortFile), "--minutes", "0"]);
        Assert.AreNotEqual(0, zero.Exit);
        StringAssert.Contains(zero.Error, "--minutes");
    }
}
