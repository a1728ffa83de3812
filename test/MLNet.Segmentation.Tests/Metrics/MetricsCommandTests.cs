using MLNet.Segmentation.Metrics.Evaluation;
using System.Text.Json;
using MLNet.Segmentation.Metrics;
using MLNet.Segmentation.Samples;
using MLNet.Segmentation.Samples.Commands;

namespace MLNet.Segmentation.Tests.Metrics;

/// <summary>`mlseg metrics` end to end: PNG masks written to temporary folders, JSON checked against scikit-learn and scipy.</summary>
[TestClass]
public sealed class MetricsCommandTests
{
    private string _root = "";

    [TestInitialize]
    public void CreateFolders()
    {
        _root = Path.Combine(Path.GetTempPath(), "mlseg-metrics-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Pred);
        Directory.CreateDirectory(Gt);
    }

    [TestCleanup]
    public void DeleteFolders() => Directory.Delete(_root, recursive: true);

    private string Pred => Path.Combine(_root, "pred");
    private string Gt => Path.Combine(_root, "gt");

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = await CommandLine.RunAsync(["metrics", .. args], output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static void Write(string path, byte[] pixels, int height, int width) => File.WriteAllBytes(path, TestPng.Gray8(pixels, height, width));

    private static byte[] Bytes(JsonElement c, string property) => c.GetProperty(property).Longs().Select(v => (byte)v).ToArray();

    [TestMethod]
    public async Task JsonMatchesScikitLearnAndScipyForEachFixture()
    {
        foreach (var c in ConfusionMatrixTests.Cases())
        {
            int h = c.GetProperty("height").GetInt32(), w = c.GetProperty("width").GetInt32();
            string name = c.GetProperty("name").GetString()! + ".png";
            foreach (var f in Directory.GetFiles(Pred).Concat(Directory.GetFiles(Gt))) File.Delete(f);
            Write(Path.Combine(Pred, name), Bytes(c, "prediction"), h, w);
            Write(Path.Combine(Gt, name), Bytes(c, "target"), h, w);
            var args = new List<string> { "--pred", Pred, "--gt", Gt, "--classes", c.GetProperty("classes").GetInt32().ToString(), "--json" };
            if (ConfusionMatrixTests.Ignore(c) is long ignore) args.AddRange(["--ignore", ignore.ToString()]);

            var (code, output, error) = await Run([.. args]);
            Assert.AreEqual(0, code, error);
            var json = JsonDocument.Parse(output).RootElement;
            Fixture.AreClose(c.GetProperty("pixel_accuracy").GetDouble(), json.GetProperty("pixel_accuracy").GetDouble(), 1e-6, "pixel_accuracy");
            Fixture.AreClose(c.GetProperty("mean_class_accuracy").GetDouble(), json.GetProperty("mean_class_accuracy").GetDouble(), 1e-6, "mean_class_accuracy");
            Fixture.AreClose(c.GetProperty("miou").GetDouble(), json.GetProperty("miou").GetDouble(), 1e-6, "miou");
            Fixture.AreClose(c.GetProperty("fwiou").GetDouble(), json.GetProperty("fwiou").GetDouble(), 1e-6, "fwiou");
            var matrix = json.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.Longs()).ToArray();
            var expectedMatrix = c.GetProperty("confusion_matrix").EnumerateArray().Select(r => r.Longs()).ToArray();
            for (int t = 0; t < expectedMatrix.Length; t++) CollectionAssert.AreEqual(expectedMatrix[t], matrix[t], $"row {t}");

            var perClass = json.GetProperty("per_class").EnumerateArray().ToArray();
            foreach (var (key, fixtureKey) in new[] { ("iou", "iou"), ("dice", "dice"), ("precision", "precision"), ("recall", "recall"), ("hd", "hd"), ("hd95", "hd95") })
            {
                var expected = c.GetProperty(fixtureKey).Doubles().Select(v => double.IsFinite(v) ? v : double.NaN).ToArray(); // JSON null for NaN and inf
                var actual = perClass.Select(p => p.GetProperty(key).Number()).ToArray();
                Fixture.AreClose(expected, actual, 1e-6, $"{name} {key}");
            }
            CollectionAssert.AreEqual(Enumerable.Range(0, perClass.Length).ToArray(), perClass.Select(p => p.GetProperty("class").GetInt32()).ToArray());
        }
    }

    [TestMethod]
    public async Task DefaultOutputIsAPerClassTable()
    {
        Write(Path.Combine(Pred, "a.png"), [0, 1, 1, 2], 2, 2);
        Write(Path.Combine(Gt, "a.png"), [0, 1, 2, 2], 2, 2);
        var (code, output, error) = await Run("--pred", Pred, "--gt", Gt, "--classes", "4");
        Assert.AreEqual(0, code, error);
        StringAssert.Contains(output, "class");
        StringAssert.Contains(output, "HD95");
        StringAssert.Contains(output, "mIoU");
        var rows = output.Split('\n').Where(l => l.StartsWith("3 ", StringComparison.Ordinal)).ToArray();
        Assert.AreEqual(1, rows.Length);
        StringAssert.Contains(rows[0], "-"); // class 3 is absent: NaN prints as "-"
    }

    [TestMethod]
    public async Task BadInputExitsNonZeroNamingTheFileAndTheProblem()
    {
        string predA = Path.Combine(Pred, "a.png"), gtA = Path.Combine(Gt, "a.png");
        Write(predA, [0, 1, 1, 0], 2, 2);
        Write(gtA, [0, 1, 1], 1, 3);
        await ExpectError($"{predA} is 2x2 but {gtA} is 3x1");

        Write(gtA, [0, 1, 7, 0], 2, 2);
        await ExpectError(gtA, "class id 7 at pixel (0, 1) is out of range", "expected 0..1");
        Write(gtA, [0, 1, 255, 0], 2, 2);
        Assert.AreEqual(0, (await Run("--pred", Pred, "--gt", Gt, "--classes", "2", "--ignore", "255")).Code);

        Write(predA, [0, 5, 1, 0], 2, 2);
        await ExpectError(predA, "class id 5 at pixel (1, 0) is out of range");
        Write(predA, [0, 1, 1, 0], 2, 2);

        Write(Path.Combine(Pred, "b.png"), [0], 1, 1);
        await ExpectError(Path.Combine(Pred, "b.png"), "no ground-truth mask");
        File.Delete(Path.Combine(Pred, "b.png"));

        File.WriteAllBytes(predA, [1, 2, 3]);
        await ExpectError(predA);
        File.WriteAllBytes(predA, MLNet.Segmentation.Data.ImageEncoder.EncodePng(new MLNet.Segmentation.Data.Image(2, 2, 3, new byte[12])));
        await ExpectError(predA, "colour mask");

        Assert.AreEqual(2, (await Run("--pred", Pred, "--gt", Gt)).Code);
        Assert.AreEqual(2, (await Run("--pred", Pred, "--gt", Gt, "--classes", "0")).Code);

        async Task ExpectError(params string[] fragments)
        {
            var (code, output, error) = await Run("--pred", Pred, "--gt", Gt, "--classes", "2");
            Assert.AreNotEqual(0, code, output);
            foreach (string fragment in fragments) StringAssert.Contains(error, fragment);
        }
    }

    [TestMethod]
    public async Task SixteenBitAndPaletteMasksAreReadAsTrainingReadsThem()
    {
        // Issue #20, 7: `mlseg metrics` refused 16-bit class-id masks that training reads.
        int[] truth = [0, 1, 2, 65535], prediction = [0, 1, 1, 2];
        File.WriteAllBytes(Path.Combine(Gt, "a.png"), MLNet.Segmentation.Tests.Data.PngWriter.Build(2, 2, 16, MLNet.Segmentation.Tests.Data.PngWriter.Gray, truth));
        File.WriteAllBytes(Path.Combine(Pred, "a.png"), MLNet.Segmentation.Tests.Data.PngWriter.Build(2, 2, 4, MLNet.Segmentation.Tests.Data.PngWriter.Gray, prediction));
        var (code, output, error) = await Run("--pred", Pred, "--gt", Gt, "--classes", "3", "--ignore", "65535", "--json");
        Assert.AreEqual(0, code, error);
        using var json = JsonDocument.Parse(output);
        var iou = json.RootElement.GetProperty("per_class").EnumerateArray().Select(c => c.GetProperty("iou").GetDouble()).ToArray();
        // Three counted pixels: class 0 right, class 1 right, class 2 predicted as 1; the 65535 pixel is ignored.
        CollectionAssert.AreEqual(new[] { 1.0, 0.5, 0.0 }, iou);

        var (badCode, _, badError) = await Run("--pred", Pred, "--gt", Gt, "--classes", "3");
        Assert.AreEqual(1, badCode);
        StringAssert.Contains(badError, $"{Path.Combine(Gt, "a.png")}: class id 65535 at pixel (1, 1) is out of range");
    }

    [TestMethod]
    public void ReaderDecodesEveryRowFilter()
    {
        var random = new Random(1);
        var pixels = new byte[13 * 17];
        random.NextBytes(pixels);
        string path = Path.Combine(Path.GetTempPath(), $"mlseg-filters-{Guid.NewGuid():N}.png");
        File.WriteAllBytes(path, TestPng.Gray8(pixels, 13, 17));
        DecodedMask mask;
        try { mask = MetricsMaskReader.For(256, null)(path); }
        finally { File.Delete(path); }
        Assert.AreEqual(13, mask.Height);
        Assert.AreEqual(17, mask.Width);
        CollectionAssert.AreEqual(pixels, mask.Pixels);
    }

    [TestMethod]
    public void TableFormatsNaNAndInfinity()
    {
        var metrics = new SegmentationMetrics(new long[,] { { 2, 0 }, { 0, 0 } });
        string table = MetricsTable.Format(metrics, [1.5, double.NaN], [double.PositiveInfinity, double.NaN], ["background", "cell"]);
        StringAssert.Contains(table, "background");
        StringAssert.Contains(table, "inf");
        StringAssert.Contains(table, "1.5000");
    }
}
